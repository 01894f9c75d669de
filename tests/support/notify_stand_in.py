"""A local stand-in for GOV.UK Notify's HTTP API, as its Python client calls it.

It answers POST /v2/notifications/email and /v2/notifications/sms as Notify does (201 and
the notification's JSON), after checking what Notify checks: the bearer JWT signed with
the API key's secret (HS256), issued by the key's service id, no older than 30 seconds; a
known template; every placeholder of that template personalised. It records each message
it accepts, and answers the errors a test queues (400, 403, 429, 500) with Notify's error
body, so that retries and give-ups meet real HTTP answers through the real client.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

from tests.support.mailbox import free_port

SERVICE_ID = str(uuid.UUID(int=0x5E1F1CE))
SECRET = str(uuid.UUID(int=0x5EC1E7))
API_KEY = f"passport_test-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE = str(uuid.UUID(int=0xE3A11))
SMS_TEMPLATE = str(uuid.UUID(int=0x5A5))
# Each template's placeholders, as made in Notify's admin site (docs: one generic template
# per channel).
TEMPLATES = {
    "email": (EMAIL_TEMPLATE, ("subject", "body")),
    "sms": (SMS_TEMPLATE, ("body",)),
}
ERRORS = {
    400: "BadRequestError",
    403: "AuthError",
    429: "RateLimitError",
    500: "Exception",
}


@dataclass(frozen=True)
class Sent:
    channel: str  # "email" or "sms"
    to: str
    template_id: str
    personalisation: dict[str, str]

    @property
    def body(self) -> str:
        return self.personalisation.get("body", "")

    @property
    def subject(self) -> str:
        return self.personalisation.get("subject", "")


@dataclass
class NotifyStandIn:
    port: int
    _sent: list[Sent] = field(default_factory=list)
    _errors: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why requests were refused
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sent(self) -> list[Sent]:
        with self._lock:
            return list(self._sent)

    def answer_next_with(self, *statuses: int) -> None:
        """The next requests (one per status) get that error instead of being sent."""
        with self._lock:
            self._errors.extend(statuses)

    def clear(self) -> None:
        with self._lock:
            self._sent.clear()
            self._errors.clear()
            self.refused.clear()

    # Called by the handler ---------------------------------------------------------------

    def handle(self, path: str, authorization: str, body: bytes) -> tuple[int, dict[str, Any]]:
        channel = {"/v2/notifications/email": "email", "/v2/notifications/sms": "sms"}.get(path)
        if channel is None:
            return 404, _error(404, "Resource not found")
        problem = _check_token(authorization)
        if problem:
            return self._refuse(403, problem, "AuthError")
        with self._lock:
            queued = self._errors.pop(0) if self._errors else None
        if queued is not None:
            return queued, _error(queued, f"Stand-in answers {queued}", ERRORS[queued])
        try:
            request = json.loads(body)
        except ValueError:
            return self._refuse(400, "Invalid JSON", "BadRequestError")
        template_id, placeholders = TEMPLATES[channel]
        if request.get("template_id") != template_id:
            return self._refuse(400, "Template not found", "BadRequestError")
        personalisation = request.get("personalisation") or {}
        missing = [name for name in placeholders if not personalisation.get(name)]
        if missing:
            return self._refuse(
                400, f"Missing personalisation: {', '.join(missing)}", "BadRequestError"
            )
        to = request.get("email_address" if channel == "email" else "phone_number")
        if not isinstance(to, str) or not to:
            return self._refuse(
                400, f"{channel} recipient is a required property", "ValidationError"
            )
        with self._lock:
            self._sent.append(Sent(channel, to, template_id, dict(personalisation)))
        notification_id = str(uuid.uuid4())
        content: dict[str, Any] = {"body": personalisation["body"]}
        if channel == "email":
            content |= {"subject": personalisation["subject"], "from_email": "test@notify.example"}
        else:
            content |= {"from_number": "GOVUK"}
        return 201, {
            "id": notification_id,
            "reference": None,
            "content": content,
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": {
                "id": template_id,
                "version": 1,
                "uri": f"{self.base_url}/templates/{template_id}",
            },
        }

    def _refuse(self, status: int, message: str, error: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.refused.append(message)
        return status, _error(status, message, error)


def _error(status: int, message: str, error: str = "BadRequestError") -> dict[str, Any]:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


def _check_token(authorization: str) -> str | None:
    """Why Notify would refuse this Authorization header, or None."""
    scheme, _, token = authorization.partition(" ")
    if scheme != "Bearer" or not token:
        return "Unauthorized: authentication token must be provided"
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_iat": False})
    except jwt.InvalidTokenError:
        return "Invalid token: signature, api token not found"
    if header.get("alg") != "HS256" or header.get("typ") != "JWT":
        return "Invalid token: algorithm used is not HS256"
    if claims.get("iss") != SERVICE_ID:
        return "Invalid token: service not found"
    issued = claims.get("iat")
    if not isinstance(issued, int) or abs(time.time() - issued) > 30:
        return "Error: Your system clock must be accurate to within 30 seconds"
    return None


def _handler(stand_in: NotifyStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, answer = stand_in.handle(
                self.path, self.headers.get("Authorization", ""), self.rfile.read(length)
            )
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: pytest shows failures

    return Handler


@contextlib.contextmanager
def notify_stand_in() -> Iterator[NotifyStandIn]:
    stand_in = NotifyStandIn(free_port())
    server = ThreadingHTTPServer(("127.0.0.1", stand_in.port), _handler(stand_in))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

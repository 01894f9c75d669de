"""A real SMTP server (aiosmtpd) on a free local port, and what it received."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

# Addresses this server refuses, permanently or for now.
REFUSED_DOMAIN = "@refused.example"
BUSY_DOMAIN = "@busy.example"


@dataclass(frozen=True)
class ReceivedEmail:
    to: str
    subject: str
    body: str
    sender: str = ""


class Mailbox:
    def __init__(self, port: int) -> None:
        self.port = port
        self._messages: list[ReceivedEmail] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        # As a relay answers: a mailbox that does not exist is refused for good (5xx); one
        # that is busy, for now (4xx). Any other address is accepted.
        if address.lower().endswith(REFUSED_DOMAIN):
            return "550 5.1.1 No such mailbox"
        if address.lower().endswith(BUSY_DOMAIN):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(preferencelist=("plain",))
        with self._lock:
            for recipient in envelope.rcpt_tos:
                self._messages.append(
                    ReceivedEmail(
                        to=recipient,
                        subject=str(parsed["Subject"]),
                        body=body.get_content() if body else "",
                        sender=str(parsed["From"]),
                    )
                )
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[ReceivedEmail]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def to(self, address: str) -> list[ReceivedEmail]:
        return [m for m in self.messages if m.to.lower() == address.lower()]

    def last_to(self, address: str, wait: float = 5.0) -> ReceivedEmail:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            found = self.to(address)
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"No e-mail to {address}; received: {self.messages}")

    def link_to(self, address: str, path_fragment: str) -> str:
        body = self.last_to(address).body
        match = re.search(rf"https?://\S*{re.escape(path_fragment)}\S*", body)
        assert match, f"No link with {path_fragment!r} in: {body}"
        return match.group(0)

    def code_to(self, address: str) -> str:
        match = re.search(r"\b(\d{6})\b", self.last_to(address).body)
        assert match, "No six-digit code in the e-mail"
        return match.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def smtp_server() -> Iterator[Mailbox]:
    port = free_port()
    box = Mailbox(port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()

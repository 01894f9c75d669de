"""E-mail and text messages through an outbox: messages are queued in the request's
transaction, sealed, and sent by this module once that transaction has committed (never a
message for a change that was rolled back). A sent or abandoned message's content is wiped,
so the table never keeps links, codes, addresses or phone numbers.

A message that fails is tried again later, after a wait that doubles each time up to a cap
(`retry_delay`), by `passport jobs run` (or `passport mail send`); after MAX_ATTEMPTS, or at
once on a permanent refusal (Notify's 400 or 403, an SMTP 5xx reply), it is given up and
`passport mail failed` lists it (docs/adr/0023-notify-transport-and-retries.md).

Transports: the console (development), SMTP (e-mail only) and GOV.UK Notify (e-mail and
texts, with one generic template per channel whose personalisation is the subject and body).

Bodies never carry personal or need details: only that something happened, and a link.
"""

from __future__ import annotations

import enum
import json
import smtplib
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import NamedTuple, Protocol

from flask import Flask, current_app, g, has_app_context
from flask_babel import force_locale
from sqlalchemy import Index, LargeBinary, String, event, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from passport import clock, jobs, vault
from passport.database import Base, db

# Tries before a message is given up; the waits between them double from FIRST_RETRY up to
# LONGEST_WAIT: 5, 10, 20, 40, 80, 160 and 240 minutes, about 9 hours in all.
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=4)


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


@vault.key_owner("outbox")  # each message has its own data key
class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kek_id: Mapped[str] = mapped_column(String(16))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    payload_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    # "email" or "sms": plain, so that an operator can tell what was given up.
    channel: Mapped[str] = mapped_column(String(10), default="email", server_default="email")
    # Not before then (None: at once); set after each failed try.
    next_attempt_at: Mapped[datetime | None]
    # Given up (a permanent refusal, or MAX_ATTEMPTS tries): never tried again.
    failed_at: Mapped[datetime | None]

    # What is waiting to be sent is found without reading every message ever sent.
    __table_args__ = (Index("ix_outbox_waiting", "sent_at", "failed_at", "next_attempt_at"),)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class Text:
    """A text message (SMS) to a phone number in E.164 form (+447700900123)."""

    to: str
    body: str


class PermanentError(Exception):
    """The message will never be accepted as it is (a bad address, a refused sender, a key
    that is not allowed): it is given up at once, not tried again."""


class Transport(Protocol):
    def send(self, email: Email, sender: str) -> None: ...

    def send_text(self, text: Text) -> None: ...


class ConsoleTransport:
    """Development: print each e-mail and text to the terminal that runs the server."""

    def send(self, email: Email, sender: str) -> None:
        print(
            f"\n----- e-mail -----\nFrom: {sender}\nTo: {email.to}\n"
            f"Subject: {email.subject}\n\n{email.body}\n------------------\n",
            file=sys.stdout,
            flush=True,
        )

    def send_text(self, text: Text) -> None:
        print(
            f"\n----- text message -----\nTo: {text.to}\n\n{text.body}\n------------------------\n",
            file=sys.stdout,
            flush=True,
        )


class SmtpTransport:
    """E-mail through an SMTP relay. It has no texts: `text_transport` sends those."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def send(self, email: Email, sender: str) -> None:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message.set_content(email.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            # Every recipient refused; 5xx for each is final (RFC 5321 4.2.1), 4xx is not.
            if all(code >= 500 for code, _text in refused.recipients.values()):
                raise PermanentError(f"SMTP {_codes(refused)}") from refused
            raise
        except smtplib.SMTPResponseException as reply:
            if reply.smtp_code >= 500:
                raise PermanentError(f"SMTP {reply.smtp_code}") from reply
            raise

    def send_text(self, text: Text) -> None:
        raise PermanentError("SMTP sends no texts")


def _codes(refused: smtplib.SMTPRecipientsRefused) -> str:
    return ",".join(sorted({str(code) for code, _text in refused.recipients.values()}))


class NotifyTransport:
    """GOV.UK Notify, through its own client (`notifications-python-client`).

    Notify sends only from templates made in its admin site: one generic template per
    channel, whose whole content is placeholders. The e-mail template's subject is
    `((subject))` and its body `((body))`; the text template's body is `((body))`. The
    sender's name and address are Notify's service settings, not PASSPORT_MAIL_FROM.
    """

    def __init__(self, api_key: str, base_url: str, email_template: str, sms_template: str) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=10)
        self.email_template, self.sms_template = email_template, sms_template

    def send(self, email: Email, sender: str) -> None:
        with _notify_errors():
            self.client.send_email_notification(
                email_address=email.to,
                template_id=self.email_template,
                personalisation={"subject": email.subject, "body": email.body},
            )

    def send_text(self, text: Text) -> None:
        with _notify_errors():
            self.client.send_sms_notification(
                phone_number=text.to,
                template_id=self.sms_template,
                personalisation={"body": text.body},
            )


# Notify's answers that no retry will change: a request it will never accept (400: a bad
# address or number, a missing personalisation, a trial key writing to someone outside the
# team) and a key it refuses (403). 429 (too many requests) and 5xx are worth a retry.
NOTIFY_PERMANENT = frozenset({400, 403})


@contextmanager
def _notify_errors() -> Iterator[None]:
    """Turn Notify's permanent refusals into PermanentError; the rest stay retryable."""
    from notifications_python_client.errors import APIError

    try:
        yield
    except APIError as error:
        if error.status_code in NOTIFY_PERMANENT:
            # The status only: Notify's message can quote the address or the number.
            raise PermanentError(f"Notify {error.status_code}") from error
        raise


def _transport(channel: Channel = Channel.EMAIL) -> Transport:
    settings = current_app.config["SETTINGS"]
    name = settings.mail_transport if channel is Channel.EMAIL else settings.text_transport
    if name == "smtp":
        return SmtpTransport(settings.smtp_host, settings.smtp_port)
    if name == "notify":
        return NotifyTransport(
            settings.notify_api_key,
            settings.notify_base_url,
            settings.notify_email_template_id,
            settings.notify_sms_template_id,
        )
    return ConsoleTransport()


def can_text() -> bool:
    """Whether texts can be sent at all (a transport for them is configured)."""
    return bool(current_app.config["SETTINGS"].text_transport != "off")


def init_app(app: Flask) -> None:
    app.teardown_request(_send_committed)
    jobs.add(app, "outbox", _send_due)


def _send_due(now: datetime) -> str:
    """The job: every message whose time has come (new ones, and retries now due)."""
    outcome = send_pending()
    line = f"sent {outcome.sent}, failed {outcome.failed}"
    return line + (f", gave up on {outcome.given_up}" if outcome.given_up else "")


@event.listens_for(db.session, "after_commit")
def _committed(session: Session) -> None:
    # Mail queued in a transaction that is rolled back instead is never found to send.
    if has_app_context() and "queued_mail" in g:
        g.setdefault("committed_mail", []).extend(g.pop("queued_mail"))


def _send_committed(error: BaseException | None) -> None:
    """At the end of a request: send the mail that its committed transaction queued.

    Only this request's mail: during a mail-server outage each request would otherwise spend
    every queued message's tries, and wait on each of them. What fails waits in the outbox
    for `passport mail send`.
    """
    if error is not None:
        # Sending commits: keep nothing of a failed request's uncommitted work.
        db.session.rollback()
    ids = g.pop("committed_mail", [])
    if not ids:
        return
    try:
        send_pending(only=ids)
    # Never the request's failure: the messages are safe in the outbox.
    except Exception as failure:
        db.session.rollback()
        current_app.logger.warning("Queued e-mail not sent: %s", type(failure).__name__)


def send_committed() -> Outcome:
    """Send now what this app context's committed transactions queued: a job's messages
    go out in the same `passport jobs run`, not the next (outside a request, no teardown
    sends them)."""
    return send_pending(only=g.pop("committed_mail", []))


def queue(message: Email | Text) -> None:
    """Queue an e-mail or a text in the current transaction: it is sent once that commits."""
    if isinstance(message, Text):
        channel, fields = Channel.SMS, {"to": message.to, "body": message.body}
    else:
        channel = Channel.EMAIL
        fields = {"to": message.to, "subject": message.subject, "body": message.body}
    row = OutboxMessage(created_at=clock.now(), channel=channel.value)
    vault.new_key(row)
    row.payload_sealed = vault.seal(row, "payload", json.dumps(fields))
    db.session.add(row)
    g.setdefault("queued_mail", []).append(row.id)


def text(name: str, to: str, *, language: str | None = None, **values: object) -> None:
    """Queue the named text message (`texts/<name>.txt`, its `body` block) to a phone number
    in E.164 form, written in `language`."""
    queue(render_text(name, to, language=language, **values))


def render_text(name: str, to: str, *, language: str | None = None, **values: object) -> Text:
    with force_locale(language) if language else nullcontext():
        template = current_app.jinja_env.get_template(f"texts/{name}.txt")
        body = "".join(template.blocks["body"](template.new_context(values))).strip()
    return Text(to=to, body=body)


def email(name: str, to: str, *, language: str | None = None, **values: object) -> None:
    """Queue the named e-mail, written in `language` (by default the page's own)."""
    queue(render(name, to, language=language, **values))


def render(name: str, to: str, *, language: str | None = None, **values: object) -> Email:
    """The named e-mail: the template `emails/<name>.txt`, with a `subject` block and a `body`
    block whose line breaks are the e-mail's (`{% trans notrimmed %}`).

    Values that need a language of their own (a share period, say) are passed lazily, so that
    they are written in this one.
    """
    with force_locale(language) if language else nullcontext():
        template = current_app.jinja_env.get_template(f"emails/{name}.txt")
        context = template.new_context(values)
        subject, body = (
            "".join(template.blocks[block](context)).strip() for block in ("subject", "body")
        )
    return Email(to=to, subject=subject, body=body)


class Outcome(NamedTuple):
    sent: int
    failed: int  # not sent this time (given up or to be tried again)
    given_up: int = 0


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: doubling, up to LONGEST_WAIT."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def send_pending(only: list[uuid.UUID] | None = None) -> Outcome:
    """Send the messages that are due (all, or only those named): never sent, not given
    up, and either new or past their next try. Returns how many went, failed and were
    given up.

    Each message is claimed with a row lock that other app servers skip (PostgreSQL), so
    several servers sending at once never send the same message twice.
    """
    sender = current_app.config["SETTINGS"].mail_from
    transports: dict[Channel, Transport] = {}
    tried: list[uuid.UUID] = []
    sent = failed = given_up = 0
    while True:
        now = clock.now()
        message = db.session.scalar(
            select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.payload_sealed.is_not(None),
                or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
                OutboxMessage.id.not_in(tried),
                *([OutboxMessage.id.in_(only)] if only is not None else []),
            )
            .order_by(OutboxMessage.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if message is None:
            db.session.commit()
            return Outcome(sent, failed, given_up)
        tried.append(message.id)
        channel = Channel(message.channel)
        if channel not in transports:
            transports[channel] = _transport(channel)
        if _deliver(message, sender, transports[channel]):
            sent += 1
        else:
            failed += 1
            given_up += message.failed_at is not None
        db.session.commit()


def _open(message: OutboxMessage) -> Email | Text:
    raw = json.loads(vault.open(message, "payload", message.payload_sealed or b""))
    if message.channel == Channel.SMS:
        return Text(to=raw["to"], body=raw["body"])
    return Email(to=raw["to"], subject=raw["subject"], body=raw["body"])


def _deliver(message: OutboxMessage, sender: str, transport: Transport) -> bool:
    now = clock.now()
    try:
        opened = _open(message)
        if isinstance(opened, Text):
            transport.send_text(opened)
        else:
            transport.send(opened, sender)
    # Anything at all, not only a mail server that is down: a header with a line break or a
    # payload that will not open must cost one message a try, never stop the ones after it.
    except Exception as error:
        message.attempts += 1
        # The type (and a status code) only: an error's text can quote the address.
        message.last_error = _describe(error)
        current_app.logger.warning("Message %s not sent: %s", message.id, message.last_error)
        if isinstance(error, PermanentError) or message.attempts >= MAX_ATTEMPTS:
            # Given up: keep no link, code, address or number that will never be sent.
            message.failed_at = now
            message.next_attempt_at = None
            message.payload_sealed = None
            vault.destroy_key(message)
        else:
            message.next_attempt_at = now + retry_delay(message.attempts)
        return False
    message.sent_at = now
    message.next_attempt_at = None
    message.payload_sealed = None
    vault.destroy_key(message)
    return True


def _describe(error: Exception) -> str:
    if isinstance(error, PermanentError):
        return f"{error.args[0]} (permanent)"[:200]
    status = getattr(error, "status_code", None) or getattr(error, "smtp_code", None)
    return f"{type(error).__name__} {status}" if status else type(error).__name__


@dataclass(frozen=True)
class GivenUp:
    id: uuid.UUID
    channel: str
    created_at: datetime
    failed_at: datetime
    attempts: int
    last_error: str | None


class Waiting(NamedTuple):
    messages: int
    next_attempt_at: datetime | None  # the soonest retry, if any is waiting for one


def given_up(since: datetime | None = None) -> list[GivenUp]:
    """The messages given up (newest first), for an operator: what and when, never to whom."""
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.failed_at.is_not(None),
            *([OutboxMessage.failed_at >= since] if since is not None else []),
        )
        .order_by(OutboxMessage.failed_at.desc())
    )
    return [
        GivenUp(m.id, m.channel, m.created_at, m.failed_at, m.attempts, m.last_error)
        for m in rows
        if m.failed_at is not None
    ]


def waiting() -> Waiting:
    """How many messages wait to be sent, and the soonest retry among them."""
    rows = db.session.execute(
        select(OutboxMessage.next_attempt_at).where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.payload_sealed.is_not(None),
        )
    ).scalars()
    times = list(rows)
    later = [t for t in times if t is not None]
    return Waiting(len(times), min(later) if later else None)

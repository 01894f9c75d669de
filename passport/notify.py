"""E-mail through an outbox: messages are queued in the request's transaction, sealed, and
sent by this module once that transaction has committed (never mail for a change that was
rolled back). A sent message's content is wiped, so the table never keeps links, codes or
addresses. `passport mail send` retries what failed.

Bodies never carry personal or need details: only that something happened, and a link.
"""

from __future__ import annotations

import json
import smtplib
import sys
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import NamedTuple, Protocol

from flask import Flask, current_app, g, has_app_context
from flask_babel import force_locale
from sqlalchemy import LargeBinary, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from passport import clock, vault
from passport.database import Base, db

MAX_ATTEMPTS = 5


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


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


class Transport(Protocol):
    def send(self, email: Email, sender: str) -> None: ...


class ConsoleTransport:
    """Development: print each e-mail to the terminal that runs the server."""

    def send(self, email: Email, sender: str) -> None:
        print(
            f"\n----- e-mail -----\nFrom: {sender}\nTo: {email.to}\n"
            f"Subject: {email.subject}\n\n{email.body}\n------------------\n",
            file=sys.stdout,
            flush=True,
        )


class SmtpTransport:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def send(self, email: Email, sender: str) -> None:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message.set_content(email.body)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.send_message(message)


def _transport() -> Transport:
    settings = current_app.config["SETTINGS"]
    if settings.mail_transport == "smtp":
        return SmtpTransport(settings.smtp_host, settings.smtp_port)
    return ConsoleTransport()


def init_app(app: Flask) -> None:
    app.teardown_request(_send_committed)


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


def queue(email: Email) -> None:
    """Queue an e-mail in the current transaction: it is sent once that commits."""
    message = OutboxMessage(created_at=clock.now())
    vault.new_key(message)
    payload = json.dumps({"to": email.to, "subject": email.subject, "body": email.body})
    message.payload_sealed = vault.seal(message, "payload", payload)
    db.session.add(message)
    g.setdefault("queued_mail", []).append(message.id)


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
    failed: int


def send_pending(only: list[uuid.UUID] | None = None) -> Outcome:
    """Send unsent messages (all, or only those named); returns how many went and failed.

    Each message is claimed with a row lock that other app servers skip (PostgreSQL), so
    several servers sending at once never send the same message twice.
    """
    sender = current_app.config["SETTINGS"].mail_from
    transport = _transport()
    tried: list[uuid.UUID] = []
    sent = failed = 0
    while True:
        message = db.session.scalar(
            select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.attempts < MAX_ATTEMPTS,
                OutboxMessage.payload_sealed.is_not(None),
                OutboxMessage.id.not_in(tried),
                *([OutboxMessage.id.in_(only)] if only is not None else []),
            )
            .order_by(OutboxMessage.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if message is None:
            db.session.commit()
            return Outcome(sent, failed)
        tried.append(message.id)
        if _deliver(message, sender, transport):
            sent += 1
        else:
            failed += 1
        db.session.commit()


def _open(message: OutboxMessage) -> Email:
    raw = json.loads(vault.open(message, "payload", message.payload_sealed or b""))
    return Email(to=raw["to"], subject=raw["subject"], body=raw["body"])


def _deliver(message: OutboxMessage, sender: str, transport: Transport) -> bool:
    try:
        transport.send(_open(message), sender)
    # Anything at all, not only a mail server that is down: a header with a line break or a
    # payload that will not open must cost one message a try, never stop the ones after it.
    except Exception as error:
        message.attempts += 1
        message.last_error = type(error).__name__
        # The type only: an error's text can quote the address or the subject.
        current_app.logger.warning("E-mail %s not sent: %s", message.id, type(error).__name__)
        if message.attempts >= MAX_ATTEMPTS:
            # Given up: keep no link, code or address that will never be sent.
            message.payload_sealed = None
            vault.destroy_key(message)
        return False
    message.sent_at = clock.now()
    message.payload_sealed = None
    vault.destroy_key(message)
    return True

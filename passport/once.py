"""Forms that create something do it once: a second submit of the same form (a double
click, a reload, a retry on a slow signal) is answered with what the first one made.

Every form carries a random token for that one showing of it (the `csrf` macro renders
it). A form that did its work records the token, with where it sent the person, in the same
transaction as the work itself; a second submit finds the record and does nothing more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import request, session
from sqlalchemy import String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from passport import clock, crypto
from passport.database import Base, db

FIELD = "form_token"
KEPT_FOR = timedelta(days=1)
# Fields that say nothing about what was asked for.
NOT_THE_ANSWER = frozenset({"csrf_token", FIELD})


class FormSubmission(Base):
    """A form that did what it asked. Only a hash of its token, its session and its answers is
    kept, so the record can neither be replayed from another browser nor read."""

    __tablename__ = "form_submissions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Where the first submit sent the person; empty when that holds a secret (a share link).
    result_url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class Earlier:
    """The first submit of this form: where it went, and when."""

    url: str
    at: datetime


def new_token() -> str:
    return crypto.new_token()


def _key() -> str | None:
    """This submit's hash: its token, this browser's session, and the answers given.

    The same form sent again with other answers (the page kept by the browser, changed and
    sent) is a new request, not a repeat.
    """
    token = request.form.get(FIELD, "")
    if not token:
        return None  # a page from before form tokens: nothing to recognise it by
    answers = sorted(
        (name, value)
        for name, values in request.form.lists()
        if name not in NOT_THE_ANSWER
        for value in values
    )
    # The CSRF secret is this browser's session: a token copied elsewhere matches nothing.
    payload = [session.get("csrf_token", ""), token, answers]
    return crypto.token_hash(json.dumps(payload, ensure_ascii=False))


def claim(result_url: str = "") -> Earlier | None:
    """Record that this submit did its work (call it in the transaction that does the work).

    Returns None for the first submit. For a repeat, the transaction is rolled back and the
    first submit is returned: two submits at once wait on the same row, and the second finds
    the first one's once it commits.
    """
    key = _key()
    if key is None:
        return None
    db.session.flush()  # the work so far: its own errors are not taken for a repeat
    now = clock.now()
    db.session.add(FormSubmission(token_hash=key, result_url=result_url, created_at=now))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        found = _find(key)
        return found or Earlier(url=result_url, at=now)
    db.session.execute(delete(FormSubmission).where(FormSubmission.created_at < now - KEPT_FOR))
    return None


def earlier(within: timedelta = KEPT_FOR) -> Earlier | None:
    """The first submit of this very form, if it did its work less than `within` ago."""
    key = _key()
    found = _find(key) if key else None
    return found if found and found.at > clock.now() - within else None


def _find(key: str) -> Earlier | None:
    row = db.session.scalar(select(FormSubmission).where(FormSubmission.token_hash == key))
    return Earlier(url=row.result_url, at=row.created_at) if row else None

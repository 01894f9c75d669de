"""What someone typed into a form, kept for a short while: across a change of language, or
while they sign in again after their session ended elsewhere.

The text is sealed with a fresh key that only their session cookie (itself sealed) holds:
a copy of the database cannot read it, and once the cookie lets go of the key (the form is
filled in again, or another person signs in) nothing can. The cookie alone is too small to
hold a story of 5,000 characters, hence the row.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import session
from sqlalchemy import LargeBinary, delete
from sqlalchemy.orm import Mapped, mapped_column

from passport import clock, crypto
from passport.database import Base, db

KEPT_FOR = timedelta(hours=1)
# More than any of the forms takes (a story is at most 5,000): anything bigger is not kept.
MAX_CHARACTERS = 20_000
SESSION_KEY = "kept_form"


class KeptForm(Base):
    __tablename__ = "kept_forms"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    fields_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class Kept:
    fields: list[tuple[str, str]]
    # Kept because the session ended: ask them to check their answers and save again.
    check: bool


def _context(row_id: uuid.UUID) -> str:
    return crypto.associated_data("kept_forms", "fields", row_id)


def keep(path: str, fields: list[tuple[str, str]], *, account: str | None, check: bool) -> bool:
    """Keep what was typed on the form at `path` for this browser, for `account` (an
    account id, or None for someone not signed in). One form at a time."""
    now = clock.now()
    forget()
    if sum(len(name) + len(value) for name, value in fields) > MAX_CHARACTERS:
        return False
    db.session.execute(delete(KeptForm).where(KeptForm.expires_at <= now))
    key = crypto.new_data_key()
    row = KeptForm(expires_at=now + KEPT_FOR)
    row.fields_sealed = crypto.seal(key, json.dumps(fields), _context(row.id))
    db.session.add(row)
    session[SESSION_KEY] = {
        "id": str(row.id),
        "key": key.hex(),
        "path": path,
        "account": account,
        "check": check,
    }
    return True


def take(path: str, account: str | None) -> Kept | None:
    """What was kept for the form at `path`, once, and only for the same person."""
    ref = session.get(SESSION_KEY)
    if not ref or ref.get("path") != path:
        return None
    row = db.session.get(KeptForm, uuid.UUID(ref["id"]))
    sealed = row.fields_sealed if row and row.expires_at > clock.now() else None
    forget()
    if sealed is None or ref.get("account") != account:
        return None
    text = crypto.open_sealed(bytes.fromhex(ref["key"]), sealed, _context(uuid.UUID(ref["id"])))
    return Kept(fields=[(name, value) for name, value in json.loads(text)], check=ref["check"])


def forget() -> None:
    """Let go of this browser's kept form: without its key the row can never be opened."""
    ref = session.pop(SESSION_KEY, None)
    if ref:
        db.session.execute(delete(KeptForm).where(KeptForm.id == uuid.UUID(ref["id"])))


def through_sign_in(account: str) -> Any:
    """This browser's kept form, if it is `account`'s, to put back after the session is
    cleared at sign-in (see put_back); anyone else's is forgotten."""
    ref = session.get(SESSION_KEY)
    if ref and ref.get("account") == account:
        return ref
    forget()
    return None


def put_back(ref: Any) -> None:
    if ref:
        session[SESSION_KEY] = ref

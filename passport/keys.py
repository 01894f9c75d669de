"""Key rotation: a new key-encryption key, and every data key re-wrapped with it."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from passport import crypto
from passport.database import db
from passport.needs.models import Passport
from passport.notify import OutboxMessage


class RotationError(RuntimeError):
    pass


def rotate() -> int:
    """Re-wrap every data key with a fresh KEK. Old KEKs stay in the keyring until removed."""
    settings = current_app.config["SETTINGS"]
    if settings.keyring:
        raise RotationError(
            "The keyring comes from PASSPORT_KEYRING: add a key there, then run this again "
            "with the new keyring."
        )
    old: crypto.Keyring = current_app.extensions["keyring"]
    new = old.with_new_kek()
    count = 0
    for passport in db.session.scalars(select(Passport)):
        owner = f"passport:{passport.id}"
        data_key = crypto.unwrap_key(old, passport.kek_id, passport.wrapped_key, owner)
        passport.kek_id, passport.wrapped_key = crypto.wrap_key(new, data_key, owner)
        count += 1
    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.wrapped_key.is_not(None))
    ):
        owner = f"outbox:{message.id}"
        data_key = crypto.unwrap_key(old, message.kek_id, message.wrapped_key or b"", owner)
        message.kek_id, message.wrapped_key = crypto.wrap_key(new, data_key, owner)
    # The new keyring still holds the old KEKs, so it is saved first: whether or not the
    # commit below succeeds, every stored wrapped key can be opened.
    crypto.save_keyring(new, settings.key_file)
    current_app.extensions["keyring"] = new
    db.session.commit()
    return count

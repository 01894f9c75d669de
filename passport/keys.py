"""Key rotation: a new key-encryption key, and every data key re-wrapped with it."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from passport import crypto, vault
from passport.database import db


class RotationError(RuntimeError):
    pass


def rotate() -> int:
    """Re-wrap every data key the vault's key owners hold with a fresh KEK; returns how many.
    Old KEKs stay in the keyring until removed."""
    settings = current_app.config["SETTINGS"]
    if settings.keyring:
        raise RotationError(
            "The keyring comes from PASSPORT_KEYRING: add a key there, then run this again "
            "with the new keyring."
        )
    old = vault.keyring()
    new = old.with_new_kek()
    count = 0
    for model in vault.key_owners():
        for owner in db.session.scalars(select(model).where(model.wrapped_key.is_not(None))):
            vault.rewrap(owner, old, new)
            count += 1
    # The new keyring still holds the old KEKs, so it is saved first: whether or not the
    # commit below succeeds, every stored wrapped key can be opened.
    crypto.save_keyring(new, settings.key_file)
    current_app.extensions["keyring"] = new
    db.session.commit()
    return count

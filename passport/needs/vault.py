"""Sealing and opening a passport's values with its own data key.

The data key is unwrapped once per request and kept only in request memory (flask.g).
"""

from __future__ import annotations

import uuid

from flask import g

from passport import crypto, taxonomy
from passport import keyring as keys
from passport.needs.models import Passport

keyring = keys.keyring  # for the other capabilities' keyed hashes


def new_wrapped_key(passport_id: uuid.UUID) -> tuple[str, bytes]:
    return crypto.wrap_key(keyring(), crypto.new_data_key(), f"passport:{passport_id}")


def data_key(passport: Passport) -> bytes:
    cache: dict[uuid.UUID, bytes] = g.setdefault("data_keys", {})
    if passport.id not in cache:
        cache[passport.id] = crypto.unwrap_key(
            keys.keyring_for(passport.kek_id),
            passport.kek_id,
            passport.wrapped_key,
            f"passport:{passport.id}",
        )
    return cache[passport.id]


def seal(passport: Passport, table: str, field: str, row_id: uuid.UUID, text: str) -> bytes:
    context = crypto.associated_data(table, field, row_id)
    return crypto.seal(data_key(passport), text, context)


def open_(passport: Passport, table: str, field: str, row_id: uuid.UUID, blob: bytes) -> str:
    context = crypto.associated_data(table, field, row_id)
    return crypto.open_sealed(data_key(passport), blob, context)


def seal_sections(passport: Passport, table: str, row_id: uuid.UUID, sections: list[str]) -> bytes:
    """A set of passport sections (a grant's, a referral's), sealed in one fixed width."""
    return seal(passport, table, "sections", row_id, taxonomy.encode_sections(sections))


def open_sections(passport: Passport, table: str, row_id: uuid.UUID, blob: bytes) -> list[str]:
    return taxonomy.decode_sections(open_(passport, table, "sections", row_id, blob))

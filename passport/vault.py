"""The vault: the app's keyring, a data key per owner, and values sealed to their row.

A key owner is a row that holds its own data key, wrapped by a key-encryption key (KEK)
from the keyring: a passport, an e-mail in the outbox. Every other sealed row names, by a
relationship, the owner whose key seals it (a need, its passport). Models say which they
are with `@key_owner` or `@sealed_under`; rotation (passport/keys.py) walks the owners.

`seal(row, field, text)` binds the value to the row's table, field and id ("needs.story:
<id>"), so it will not open anywhere else. A data key is unwrapped once per request (or
command) and kept only in its memory (flask.g); crypto.py does the cryptography.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g

from passport import crypto, taxonomy

Model = TypeVar("Model", bound=type)

# Model -> the name its data keys are bound to ("passport" -> "data-key:passport:<id>").
_owners: dict[type[Any], str] = {}
# Model -> the relationship that leads to the row holding its key.
_sealed_under: dict[type[Any], str] = {}


class VaultError(RuntimeError):
    """A value that the vault cannot seal or open: no owner, or its key destroyed."""


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.extensions["keyring"] = crypto.load_keyring(settings.keyring, settings.key_file)


def keyring() -> crypto.Keyring:
    ring: crypto.Keyring = current_app.extensions["keyring"]
    return ring


def _keyring_for(kek_id: str) -> crypto.Keyring:
    """The keyring, reloaded from its file when a stored key names a KEK it lacks:
    `passport keys rotate` writes a new key file from one process, and the other workers
    learn of the new KEK the first time they meet a data key wrapped with it."""
    ring = keyring()
    if kek_id not in ring.keks:
        settings = current_app.config["SETTINGS"]
        ring = crypto.load_keyring(settings.keyring, settings.key_file)
        current_app.extensions["keyring"] = ring
    return ring


def blind_index(purpose: str, value: str) -> str:
    """A keyed hash to find a row by a value that is only stored sealed (an e-mail address)."""
    return crypto.blind_index(keyring(), purpose, value)


def keyed_index(owner: Any, purpose: str, value: str) -> str:
    """A keyed hash under a key owner's own data key (an organisation's, for its inbox
    filters): it finds that owner's rows by a value, and says nothing across owners."""
    return crypto.keyed_index(data_key(owner), purpose, value)


# The registry --------------------------------------------------------------------------------


def key_owner(name: str) -> Callable[[Model], Model]:
    """Rows of this model hold their own data key, in `kek_id` and `wrapped_key` columns."""

    def register(model: Model) -> Model:
        _owners[model] = name
        return model

    return register


def sealed_under(relationship: str) -> Callable[[Model], Model]:
    """Rows of this model are sealed with the key of the row their `relationship` leads to."""

    def register(model: Model) -> Model:
        _sealed_under[model] = relationship
        return model

    return register


def key_owners() -> dict[type[Any], str]:
    """Every model whose rows hold a data key: what key rotation re-wraps."""
    return dict(_owners)


# Data keys -----------------------------------------------------------------------------------


def _binding(owner: Any) -> str:
    try:
        return f"{_owners[_model(owner)]}:{owner.id}"
    except KeyError:
        raise VaultError(f"{_model(owner).__name__} does not hold a data key.") from None


def new_key(owner: Any) -> None:
    """Give a key-owning row its own fresh data key (before anything is sealed with it)."""
    data_key = crypto.new_data_key()
    binding = _binding(owner)
    owner.kek_id, owner.wrapped_key = crypto.wrap_key(keyring(), data_key, binding)
    _cache()[binding] = data_key


def data_key(owner: Any) -> bytes:
    binding = _binding(owner)
    cache = _cache()
    if binding not in cache:
        if owner.wrapped_key is None:
            raise VaultError(f"The data key of {binding} has been destroyed.")
        ring = _keyring_for(owner.kek_id)
        cache[binding] = crypto.unwrap_key(ring, owner.kek_id, owner.wrapped_key, binding)
    return cache[binding]


def destroy_key(owner: Any) -> None:
    """Crypto-shredding: without its wrapped key, nothing sealed under it opens again."""
    owner.wrapped_key = None
    _cache().pop(_binding(owner), None)


def rewrap(owner: Any, old: crypto.Keyring, new: crypto.Keyring) -> None:
    """Wrap the owner's data key with the new keyring's current KEK; the data key stays."""
    binding = _binding(owner)
    key = crypto.unwrap_key(old, owner.kek_id, owner.wrapped_key, binding)
    owner.kek_id, owner.wrapped_key = crypto.wrap_key(new, key, binding)


def _cache() -> dict[str, bytes]:
    cache: dict[str, bytes] = g.setdefault("data_keys", {})
    return cache


def _model(row: Any) -> type[Any]:
    # __class__, not type(): a row may come through a proxy (current_passport).
    model: type[Any] = row.__class__
    return model


def _owner_of(row: Any) -> Any:
    model = _model(row)
    if model in _owners:
        return row
    if model not in _sealed_under:
        raise VaultError(f"{model.__name__} is not sealed by the vault.")
    owner = getattr(row, _sealed_under[model])
    if owner is None:
        raise VaultError(f"Set {model.__name__}.{_sealed_under[model]} before sealing.")
    return owner


# Sealing -------------------------------------------------------------------------------------


def _context(row: Any, field: str) -> str:
    return crypto.associated_data(row.__tablename__, field, row.id)


def seal(row: Any, field: str, text: str) -> bytes:
    """The text sealed for `row.<field>_sealed`, with the key of the row's owner."""
    return crypto.seal(data_key(_owner_of(row)), text, _context(row, field))


def open(row: Any, field: str, blob: bytes) -> str:
    return crypto.open_sealed(data_key(_owner_of(row)), blob, _context(row, field))


def seal_sections(row: Any, sections: list[str]) -> bytes:
    """A set of passport sections (a grant's, a referral's), sealed in one fixed width."""
    return seal(row, "sections", taxonomy.encode_sections(sections))


def open_sections(row: Any, blob: bytes) -> list[str]:
    return taxonomy.decode_sections(open(row, "sections", blob))

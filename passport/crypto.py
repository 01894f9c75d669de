"""Keys and envelope encryption. The only module that touches keys; it knows nothing of Flask.

Each passport has its own random data key (AES-256-GCM). The data key is stored only
wrapped by a key-encryption key (KEK) from a keyring kept outside the database, so a copy
of the database alone is unreadable, and destroying a wrapped data key erases everything
sealed under it (crypto-shredding).

Every value is sealed with associated data naming its table, field and row id: GCM then
refuses to open a blob moved to another row or field, so an attacker with write access to
the database cannot swap one person's story into another's record.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"
_NONCE_BYTES = 12


class KeyringError(RuntimeError):
    """The keyring is missing, malformed or lacks a key a value needs."""


@dataclass(frozen=True)
class Keyring:
    """Key-encryption keys by id, the id to wrap new keys with, and the blind-index key."""

    keks: dict[str, bytes]
    current: str
    index_key: bytes

    def kek(self, kek_id: str) -> bytes:
        try:
            return self.keks[kek_id]
        except KeyError:
            raise KeyringError(f"The keyring has no key with id {kek_id!r}.") from None

    def to_json(self) -> str:
        return json.dumps(
            {
                "current": self.current,
                "keks": {kid: _b64(key) for kid, key in self.keks.items()},
                "index_key": _b64(self.index_key),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        try:
            raw = json.loads(text)
            keks = {kid: _unb64(value) for kid, value in raw["keks"].items()}
            keyring = cls(keks=keks, current=raw["current"], index_key=_unb64(raw["index_key"]))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise KeyringError(f"The keyring is not valid: {error}") from None
        if (
            not isinstance(keyring.current, str)
            or keyring.current not in keks
            or any(len(k) != 32 for k in [*keks.values(), keyring.index_key])
        ):
            raise KeyringError("The keyring needs 32-byte keys and a current key id.")
        return keyring

    @classmethod
    def generate(cls) -> Keyring:
        return cls(
            keks={"k1": AESGCM.generate_key(256)},
            current="k1",
            index_key=os.urandom(32),
        )

    def with_new_kek(self) -> Keyring:
        """A keyring with a fresh current KEK; older KEKs stay to unwrap existing keys."""
        number = 1 + max(int(kid.lstrip("k") or 0) for kid in self.keks)
        kid = f"k{number}"
        return Keyring(
            keks={**self.keks, kid: AESGCM.generate_key(256)},
            current=kid,
            index_key=self.index_key,
        )


def load_keyring(from_env: str | None, key_file: Path) -> Keyring:
    """The keyring from an environment value, else from the key file (created 0600 if absent)."""
    if from_env:
        return Keyring.from_json(from_env)
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        save_keyring(Keyring.generate(), key_file, create=True)
    return Keyring.from_json(key_file.read_text())


def save_keyring(keyring: Keyring, key_file: Path, *, create: bool = False) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if create else os.O_TRUNC)
    fd = os.open(key_file, flags, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(keyring.to_json())
    os.chmod(key_file, 0o600)


def new_data_key() -> bytes:
    return AESGCM.generate_key(256)


def wrap_key(keyring: Keyring, data_key: bytes, owner: str) -> tuple[str, bytes]:
    """Wrap a data key with the current KEK, bound to its owner; returns (kek id, wrapped)."""
    kek_id = keyring.current
    return kek_id, _seal(keyring.kek(kek_id), data_key, f"data-key:{owner}")


def unwrap_key(keyring: Keyring, kek_id: str, wrapped: bytes, owner: str) -> bytes:
    return _open(keyring.kek(kek_id), wrapped, f"data-key:{owner}")


def associated_data(table: str, field: str, row_id: object) -> str:
    return f"{table}.{field}:{row_id}"


def seal(data_key: bytes, plaintext: str, context: str) -> bytes:
    """Encrypt text under a data key; `context` (see associated_data) binds it to its place."""
    return _seal(data_key, plaintext.encode("utf-8"), context)


def open_sealed(data_key: bytes, blob: bytes, context: str) -> str:
    return _open(data_key, blob, context).decode("utf-8")


def blind_index(keyring: Keyring, purpose: str, value: str) -> str:
    """A keyed hash to find a row by a sealed value (an e-mail address) without storing it."""
    message = f"{purpose}:{value}".encode()
    return hmac.new(keyring.index_key, message, hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """Only this hash of a link token is stored: a database leak yields no working links."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_code(digits: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def codes_match(candidate_hash: str, stored_hash: str) -> bool:
    return hmac.compare_digest(candidate_hash, stored_hash)


def _seal(key: bytes, plaintext: bytes, context: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return _VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode("utf-8"))


def _open(key: bytes, blob: bytes, context: str) -> bytes:
    if blob[:1] != _VERSION:
        raise ValueError("Unknown ciphertext version.")
    nonce, body = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    return AESGCM(key).decrypt(nonce, body, context.encode("utf-8"))


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)

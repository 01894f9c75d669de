"""Keys and envelope encryption. The only module that touches keys; it knows nothing of Flask.

Each passport has its own random data key (AES-256-GCM). The data key is stored only
wrapped by a key-encryption key (KEK) from a keyring kept outside the database, so a copy
of the database alone is unreadable, and destroying a wrapped data key erases everything
sealed under it (crypto-shredding).

Every value is sealed with associated data naming its table, field and row id: GCM then
refuses to open a blob moved to another row or field, so an attacker with write access to
the database cannot swap one person's story into another's record.

GCM hides content but not length, so sealed text is padded to a size bucket first: a copy
of the database cannot tell `money` from `domestic_abuse`, nor a short story from a
slightly longer one.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PLAIN = b"\x01"  # unpadded: wrapped data keys (always 32 bytes), and text sealed before padding
_PADDED = b"\x02"  # text padded to a bucket before sealing
_NONCE_BYTES = 12
_SMALLEST_BUCKET = 64


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
        # If another process makes it first, use theirs.
        with contextlib.suppress(FileExistsError):
            save_keyring(Keyring.generate(), key_file, create=True)
    return Keyring.from_json(key_file.read_text())


def save_keyring(keyring: Keyring, key_file: Path, *, create: bool = False) -> None:
    """Write the key file whole or not at all: a crash never leaves it half written.

    The keyring goes to a private temporary file beside it, is flushed to disk, then takes
    the key file's name in one rename. With `create`, an existing key file is never replaced.
    """
    folder = key_file.parent
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{key_file.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(keyring.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        if create:
            os.link(temporary, key_file)  # fails if the file exists, unlike a rename
        else:
            os.replace(temporary, key_file)
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in the folder survive a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_data_key() -> bytes:
    return AESGCM.generate_key(256)


def wrap_key(keyring: Keyring, data_key: bytes, owner: str) -> tuple[str, bytes]:
    """Wrap a data key with the current KEK, bound to its owner; returns (kek id, wrapped)."""
    kek_id = keyring.current
    return kek_id, _seal(keyring.kek(kek_id), _PLAIN, data_key, f"data-key:{owner}")


def unwrap_key(keyring: Keyring, kek_id: str, wrapped: bytes, owner: str) -> bytes:
    return _open(keyring.kek(kek_id), _PLAIN, wrapped, f"data-key:{owner}")


def associated_data(table: str, field: str, row_id: object) -> str:
    return f"{table}.{field}:{row_id}"


def seal(data_key: bytes, plaintext: str, context: str) -> bytes:
    """Encrypt text under a data key; `context` (see associated_data) binds it to its place.

    The text is padded first, so the sealed length shows only its bucket (see padded_size).
    """
    return _seal(data_key, _PADDED, _pad(plaintext.encode("utf-8")), context)


def open_sealed(data_key: bytes, blob: bytes, context: str) -> str:
    if blob[:1] == _PADDED:
        return _unpad(_open(data_key, _PADDED, blob, context)).decode("utf-8")
    return _open(data_key, _PLAIN, blob, context).decode("utf-8")


def padded_size(length: int) -> int:
    """The bucket for `length` bytes and the pad's marker: 64, then powers of two."""
    size = _SMALLEST_BUCKET
    while size < length + 1:
        size *= 2
    return size


def blind_index(keyring: Keyring, purpose: str, value: str) -> str:
    """A keyed hash to find a row by a sealed value (an e-mail address) without storing it."""
    message = f"{purpose}:{value}".encode()
    return hmac.new(keyring.index_key, message, hashlib.sha256).hexdigest()


def keyed_index(data_key: bytes, purpose: str, value: str) -> str:
    """A keyed hash under one owner's data key: equal values of that owner's rows match, and
    nothing matches across owners (an organisation's inbox filters, ADR 0010)."""
    index_key = hmac.new(data_key, b"keyed-index", hashlib.sha256).digest()
    return hmac.new(index_key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """Only this hash of a link token is stored: a database leak yields no working links."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_code(digits: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def codes_match(candidate_hash: str, stored_hash: str) -> bool:
    return hmac.compare_digest(candidate_hash, stored_hash)


def _pad(raw: bytes) -> bytes:
    """ISO/IEC 7816-4 padding: a 0x80 byte, then zero bytes up to the bucket size."""
    return raw + b"\x80" + bytes(padded_size(len(raw)) - len(raw) - 1)


def _unpad(padded: bytes) -> bytes:
    raw = padded.rstrip(b"\x00")
    if not raw.endswith(b"\x80") or len(padded) != padded_size(len(raw) - 1):
        raise ValueError("The padding of a sealed value is not valid.")
    return raw[:-1]


def _seal(key: bytes, version: bytes, plaintext: bytes, context: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return version + nonce + AESGCM(key).encrypt(nonce, plaintext, _aad(version, context))


def _open(key: bytes, version: bytes, blob: bytes, context: str) -> bytes:
    if blob[:1] != version:
        raise ValueError("Unknown ciphertext version.")
    nonce, body = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    return AESGCM(key).decrypt(nonce, body, _aad(version, context))


def _aad(version: bytes, context: str) -> bytes:
    # Padded blobs authenticate their version byte too, so relabelling one as unpadded (to
    # open it with its padding left on) breaks the tag. Unpadded blobs keep the associated
    # data they were sealed with before versions existed.
    aad = context.encode("utf-8")
    return aad if version == _PLAIN else version + aad


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# Session cookies ------------------------------------------------------------------------------

_COOKIE_VERSION = b"\x01"
_COOKIE_CONTEXT = b"session-cookie"


def cookie_key(secret: str | bytes) -> bytes:
    """The key that seals session cookies, derived from the app's secret key."""
    info = b"needs-passport:" + _COOKIE_CONTEXT
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info)
    return hkdf.derive(secret.encode("utf-8") if isinstance(secret, str) else secret)


def seal_cookie(key: bytes, plaintext: bytes) -> str:
    """Encrypt and authenticate a cookie's value: the browser can neither read nor change it."""
    nonce = os.urandom(_NONCE_BYTES)
    blob = _COOKIE_VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, _COOKIE_CONTEXT)
    return base64.urlsafe_b64encode(blob).decode("ascii").rstrip("=")


def open_cookie(key: bytes, value: str) -> bytes:
    """What seal_cookie sealed; ValueError for anything this key did not seal."""
    try:
        # validate: a character outside the alphabet (a "." put in front) is refused, not
        # skipped; skipping it made the padding, and so the answer, depend on the length.
        padded = value + "=" * (-len(value) % 4)
        blob = base64.b64decode(padded, altchars=b"-_", validate=True)
        if blob[:1] != _COOKIE_VERSION:
            raise ValueError("Unknown cookie version.")
        nonce, body = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        return AESGCM(key).decrypt(nonce, body, _COOKIE_CONTEXT)
    except (ValueError, InvalidTag):
        raise ValueError("The cookie was not sealed with this key.") from None


# The audit trail's chain (ADR 0031) ---------------------------------------------------------------

CHAIN_START = b""  # what the first entry of a chain is linked to


def audit_entry_bytes(
    *,
    passport_id: bytes,
    seq: int,
    entry_id: bytes,
    look_id: bytes,
    grant_id: bytes,
    by_staff: bool,
    at_microseconds: int,
    sealed: bytes,
) -> bytes:
    """One audit entry as the chain hashes it: every stored field, in a fixed order and
    width, its sealed sections last (their bytes as stored, never opened). Changing any
    field, or moving the entry to another place or passport, changes these bytes."""
    return b"".join(
        (
            b"audit-entry:1\x00",
            passport_id,
            seq.to_bytes(8, "big"),
            entry_id,
            look_id,
            grant_id,
            b"\x01" if by_staff else b"\x00",
            at_microseconds.to_bytes(8, "big", signed=True),
            len(sealed).to_bytes(4, "big"),
            sealed,
        )
    )


def chain_link(previous: bytes, entry: bytes) -> bytes:
    """Entry n's hash: SHA-256 of entry n-1's hash followed by entry n's bytes."""
    return hashlib.sha256(previous + entry).digest()

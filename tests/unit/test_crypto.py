"""passport/crypto.py on its own: sealing, padding, wrapping keys, keyrings, indexes, tokens."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import uuid
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from passport import crypto

# Sealing and opening


@pytest.fixture
def data_key() -> bytes:
    return crypto.new_data_key()


def test_seal_and_open_round_trip(data_key: bytes):
    text = "Rent arrears since March — £1,240 owed. Ça va? 🙂"
    context = crypto.associated_data("needs", "story", uuid.uuid4())
    blob = crypto.seal(data_key, text, context)
    assert crypto.open_sealed(data_key, blob, context) == text


def test_sealed_values_hide_the_text_and_never_repeat(data_key: bytes):
    text = uuid.uuid4().hex
    context = crypto.associated_data("needs", "story", uuid.uuid4())
    first, second = crypto.seal(data_key, text, context), crypto.seal(data_key, text, context)
    assert first != second  # a fresh nonce each time
    for blob in (first, second):
        assert text.encode() not in blob
        assert text.encode().hex().encode() not in blob


def test_a_blob_opens_only_in_its_own_row_and_field(data_key: bytes):
    row, other_row = uuid.uuid4(), uuid.uuid4()
    blob = crypto.seal(data_key, "my story", crypto.associated_data("needs", "story", row))
    with pytest.raises(InvalidTag):
        crypto.open_sealed(data_key, blob, crypto.associated_data("needs", "story", other_row))
    with pytest.raises(InvalidTag):
        crypto.open_sealed(data_key, blob, crypto.associated_data("needs", "category", row))
    with pytest.raises(InvalidTag):
        crypto.open_sealed(data_key, blob, crypto.associated_data("referrals", "story", row))


def test_a_blob_opens_only_with_its_own_key(data_key: bytes):
    context = crypto.associated_data("needs", "story", uuid.uuid4())
    blob = crypto.seal(data_key, "my story", context)
    with pytest.raises(InvalidTag):
        crypto.open_sealed(crypto.new_data_key(), blob, context)


def test_a_changed_blob_is_refused(data_key: bytes):
    context = crypto.associated_data("needs", "story", uuid.uuid4())
    blob = bytearray(crypto.seal(data_key, "my story", context))
    blob[-1] ^= 0x01
    with pytest.raises(InvalidTag):
        crypto.open_sealed(data_key, bytes(blob), context)


# Padding: a sealed value's length shows only its size bucket


def sealed_length(data_key: bytes, text: str) -> int:
    return len(crypto.seal(data_key, text, crypto.associated_data("needs", "story", uuid.uuid4())))


def test_stories_of_different_lengths_in_one_bucket_seal_alike(data_key: bytes):
    short, long = "Rent.", "I am behind on my rent since March and the letters keep coming."
    assert len(short.encode()) < len(long.encode()) < 64
    assert sealed_length(data_key, short) == sealed_length(data_key, long)


@pytest.mark.parametrize(
    ("size", "bucket"), [(0, 64), (63, 64), (64, 128), (127, 128), (128, 256), (5000, 8192)]
)
def test_text_is_padded_to_its_bucket(data_key: bytes, size: int, bucket: int):
    overhead = 1 + 12 + 16  # version, nonce, tag
    assert sealed_length(data_key, "x" * size) == overhead + bucket
    # One byte more than fits takes the next bucket; one byte less stays in this one.
    assert sealed_length(data_key, "x" * (bucket - 1)) == overhead + bucket
    assert sealed_length(data_key, "x" * bucket) == overhead + 2 * bucket


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x80",
        "ends in \x80",
        "ends in a NUL\x00",
        "\x00\x00\x00",
        "ends in NUL then \x80\x00\x80",
        "\U0010ffff" * 16,
        "é" * 31 + "x",  # 63 bytes: the bucket's last byte is the pad's marker
        "é" * 32,  # 64 bytes: the next bucket
        "Ça va? 🙂 " * 300,
    ],
    ids=[
        "empty",
        "u0080",
        "ends-u0080",
        "ends-nul",
        "only-nuls",
        "nul-u0080-nul-u0080",
        "four-byte-characters",
        "63-bytes",
        "64-bytes",
        "long",
    ],
)
def test_padding_round_trips_any_text(data_key: bytes, text: str):
    context = crypto.associated_data("needs", "story", uuid.uuid4())
    blob = crypto.seal(data_key, text, context)
    assert len(blob) == 1 + 12 + crypto.padded_size(len(text.encode())) + 16
    assert crypto.open_sealed(data_key, blob, context) == text


def seal_raw(key: bytes, version: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """A blob made by hand, as crypto._seal would make it, to reach past the tag check."""
    nonce = os.urandom(12)
    return version + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def test_a_value_sealed_before_padding_still_opens(data_key: bytes):
    context = crypto.associated_data("needs", "story", uuid.uuid4())
    text = "Sealed by the first release, unpadded: £1,240 🙂"
    old = seal_raw(data_key, b"\x01", text.encode(), context.encode())
    assert len(old) == 1 + 12 + len(text.encode()) + 16
    assert crypto.open_sealed(data_key, old, context) == text


@pytest.mark.parametrize(
    "padded",
    [
        b"money" + bytes(59),  # no marker
        b"money\x80" + bytes(57) + b"\x01",  # not zero after the marker
        b"money\x80" + bytes(122),  # a bucket too big for the text
        b"money\x80" + bytes(10),  # not a bucket size
        bytes(64),
        b"",
    ],
    ids=["no-marker", "not-zeros", "too-big", "not-a-bucket", "all-zeros", "empty"],
)
def test_a_value_with_broken_padding_is_refused(data_key: bytes, padded: bytes):
    context = crypto.associated_data("needs", "category", uuid.uuid4())
    blob = seal_raw(data_key, b"\x02", padded, b"\x02" + context.encode())
    with pytest.raises(ValueError, match="padding"):
        crypto.open_sealed(data_key, blob, context)


def test_a_padded_value_cannot_pass_as_an_unpadded_one(data_key: bytes):
    context = crypto.associated_data("needs", "category", uuid.uuid4())
    blob = crypto.seal(data_key, "money", context)
    assert blob[:1] == b"\x02"
    with pytest.raises(InvalidTag):
        crypto.open_sealed(data_key, b"\x01" + blob[1:], context)
    with pytest.raises(ValueError, match="version"):
        crypto.open_sealed(data_key, b"\x03" + blob[1:], context)


# Wrapping data keys


def test_wrap_and_unwrap_a_data_key(data_key: bytes):
    keyring = crypto.Keyring.generate()
    kek_id, wrapped = crypto.wrap_key(keyring, data_key, "passport:1")
    assert kek_id == keyring.current
    assert data_key not in wrapped
    assert crypto.unwrap_key(keyring, kek_id, wrapped, "passport:1") == data_key


def test_a_wrapped_key_is_bound_to_its_owner(data_key: bytes):
    keyring = crypto.Keyring.generate()
    kek_id, wrapped = crypto.wrap_key(keyring, data_key, "passport:1")
    with pytest.raises(InvalidTag):
        crypto.unwrap_key(keyring, kek_id, wrapped, "passport:2")


def test_a_wrapped_key_needs_the_keyring_that_wrapped_it(data_key: bytes):
    keyring = crypto.Keyring.generate()
    kek_id, wrapped = crypto.wrap_key(keyring, data_key, "passport:1")
    with pytest.raises(InvalidTag):
        crypto.unwrap_key(crypto.Keyring.generate(), kek_id, wrapped, "passport:1")
    with pytest.raises(crypto.KeyringError):
        crypto.unwrap_key(keyring, "k99", wrapped, "passport:1")


# Loading keyrings


def test_key_file_is_created_private_and_reused(tmp_path: Path):
    key_file = tmp_path / "instance" / "keyring.json"
    first = crypto.load_keyring(None, key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    written = key_file.read_text()
    second = crypto.load_keyring(None, key_file)
    assert second == first
    assert key_file.read_text() == written
    assert len(first.keks[first.current]) == 32


def test_saving_a_keyring_replaces_the_key_file_whole(tmp_path: Path):
    key_file = tmp_path / "keyring.json"
    old = crypto.load_keyring(None, key_file)
    before = key_file.stat()
    with pytest.raises(FileExistsError):  # creating never replaces a key file
        crypto.save_keyring(crypto.Keyring.generate(), key_file, create=True)
    assert crypto.load_keyring(None, key_file) == old
    new = old.with_new_kek()
    crypto.save_keyring(new, key_file)
    assert crypto.Keyring.from_json(key_file.read_text()) == new
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # A new file took the name: the old one was never truncated in place.
    assert key_file.stat().st_ino != before.st_ino
    assert list(tmp_path.iterdir()) == [key_file]


class UnwritableKeyring(crypto.Keyring):
    def to_json(self) -> str:
        raise RuntimeError("The machine stopped here.")


class HalfWritableKeyring(crypto.Keyring):
    def to_json(self) -> str:
        return super().to_json()[:40] + "\udc80"  # cannot be encoded: the write fails


def fail_to_rename(monkeypatch: pytest.MonkeyPatch) -> type[crypto.Keyring]:
    def stop(*args: object) -> None:
        raise OSError("The machine stopped here.")

    monkeypatch.setattr(os, "replace", stop)
    return crypto.Keyring


@pytest.mark.parametrize(
    "failure",
    [
        lambda monkeypatch: UnwritableKeyring,
        lambda monkeypatch: HalfWritableKeyring,
        fail_to_rename,
    ],
    ids=["before-writing", "while-writing", "before-renaming"],
)
def test_a_failed_key_file_write_leaves_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure
):
    key_file = tmp_path / "keyring.json"
    old = crypto.load_keyring(None, key_file)
    written = key_file.read_text()
    new = old.with_new_kek()
    keyring_type = failure(monkeypatch)
    broken = keyring_type(keks=new.keks, current=new.current, index_key=new.index_key)
    with pytest.raises((RuntimeError, OSError, UnicodeError)):
        crypto.save_keyring(broken, key_file)
    assert key_file.read_text() == written
    assert crypto.load_keyring(None, key_file) == old
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert list(tmp_path.iterdir()) == [key_file]  # no temporary file left behind


def test_keyring_from_the_environment_wins_and_writes_no_file(tmp_path: Path):
    keyring = crypto.Keyring.generate().with_new_kek()
    key_file = tmp_path / "keyring.json"
    loaded = crypto.load_keyring(keyring.to_json(), key_file)
    assert loaded == keyring
    assert loaded.current == "k2"
    assert not key_file.exists()


GOOD_KEY = "A" * 43 + "="  # 32 bytes in base64


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        json.dumps({"current": "k1", "keks": {"k1": GOOD_KEY}}),  # no index key
        json.dumps({"current": "k2", "keks": {"k1": GOOD_KEY}, "index_key": GOOD_KEY}),
        json.dumps({"current": "k1", "keks": {"k1": "c2hvcnQ="}, "index_key": GOOD_KEY}),
        json.dumps({"current": "k1", "keks": {"k1": "not base64!"}, "index_key": GOOD_KEY}),
        json.dumps({"current": "k1", "keks": ["k1"], "index_key": GOOD_KEY}),
        json.dumps({"current": "k1", "keks": {"k1": 42}, "index_key": GOOD_KEY}),
        json.dumps({"current": ["k1"], "keks": {"k1": GOOD_KEY}, "index_key": GOOD_KEY}),
        json.dumps({"current": "k1", "keks": {"k1": GOOD_KEY}, "index_key": ""}),
    ],
    ids=[
        "empty",
        "not-json",
        "a-list",
        "no-index-key",
        "current-missing",
        "short-key",
        "bad-base64",
        "keks-not-a-map",
        "key-not-text",
        "current-not-text",
        "empty-index-key",
    ],
)
def test_a_malformed_keyring_is_refused(text: str, tmp_path: Path):
    with pytest.raises(crypto.KeyringError):
        crypto.Keyring.from_json(text)
    key_file = tmp_path / "keyring.json"
    key_file.write_text(text)
    with pytest.raises(crypto.KeyringError):
        crypto.load_keyring(None, key_file)


def test_a_well_formed_keyring_text_loads():
    text = json.dumps({"current": "k1", "keks": {"k1": GOOD_KEY}, "index_key": GOOD_KEY})
    keyring = crypto.Keyring.from_json(text)
    assert keyring.keks == {"k1": bytes(32)}


def test_a_new_kek_keeps_the_old_ones(data_key: bytes):
    old = crypto.Keyring.generate()
    old_id, wrapped = crypto.wrap_key(old, data_key, "passport:1")
    new = old.with_new_kek()
    assert new.current != old.current
    assert new.keks[new.current] not in old.keks.values()
    assert {kid: key for kid, key in new.keks.items() if kid in old.keks} == old.keks
    assert new.index_key == old.index_key
    assert crypto.unwrap_key(new, old_id, wrapped, "passport:1") == data_key
    new_id, rewrapped = crypto.wrap_key(new, data_key, "passport:1")
    assert new_id == new.current
    with pytest.raises(crypto.KeyringError):
        crypto.unwrap_key(old, new_id, rewrapped, "passport:1")


# Blind indexes and token hashes


def test_blind_index_is_stable_and_keyed():
    keyring = crypto.Keyring.generate()
    value = "sam@example.net"
    index = crypto.blind_index(keyring, "email", value)
    assert crypto.blind_index(keyring, "email", value) == index
    assert crypto.blind_index(crypto.Keyring.from_json(keyring.to_json()), "email", value) == index
    assert crypto.blind_index(crypto.Keyring.generate(), "email", value) != index
    assert crypto.blind_index(keyring, "phone", value) != index
    assert crypto.blind_index(keyring, "email", "sal@example.net") != index
    # Keyed: not a plain hash anyone could compute from the address.
    for plain in (value, f"email:{value}"):
        assert index != hashlib.sha256(plain.encode()).hexdigest()
    assert "sam" not in index


def test_token_hash_is_not_the_token():
    token = crypto.new_token()
    hashed = crypto.token_hash(token)
    assert hashed != token and token not in hashed
    assert hashed == hashlib.sha256(token.encode()).hexdigest()
    assert crypto.token_hash(token) == hashed
    assert crypto.token_hash(crypto.new_token()) != hashed


def test_new_tokens_and_codes_are_random():
    assert len({crypto.new_token() for _ in range(50)}) == 50
    codes = {crypto.new_code() for _ in range(50)}
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) > 40

"""A software passkey authenticator: what a phone's screen lock does, done in Python.

It makes real P-256 keys and signs real assertions, so the server's py_webauthn checks run
unchanged and the functional tests can drive the whole ceremony without a browser. It behaves
like a platform authenticator: discoverable passkeys, one per site and user id, and it
refuses to make one when it already holds a passkey the site excluded (a browser reports
that as InvalidStateError). The browser tests use Chromium's virtual authenticator instead.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.encode_cbor import encode_cbor

USER_PRESENT = 0x01
USER_VERIFIED = 0x04
ATTESTED_CREDENTIAL = 0x40
ES256 = -7


class InvalidStateError(Exception):  # the name a browser gives it
    """The authenticator already holds a passkey the site listed in excludeCredentials."""


@dataclass
class Credential:
    id: bytes
    rp_id: str
    user_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    sign_count: int = 0

    @property
    def b64_id(self) -> str:
        return bytes_to_base64url(self.id)


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _cose_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    numbers = key.public_key().public_numbers()
    return encode_cbor(
        {
            1: 2,  # kty: EC2
            3: ES256,  # alg
            -1: 1,  # crv: P-256
            -2: numbers.x.to_bytes(32, "big"),
            -3: numbers.y.to_bytes(32, "big"),
        }
    )


def _answer(credential: Credential, client_data: bytes, **response: Any) -> dict[str, Any]:
    """A PublicKeyCredential as the browser's credential.toJSON() gives it."""
    return {
        "id": credential.b64_id,
        "rawId": credential.b64_id,
        "type": "public-key",
        "authenticatorAttachment": "platform",
        "clientExtensionResults": {},
        "response": {"clientDataJSON": bytes_to_base64url(client_data), **response},
    }


class SoftwareAuthenticator:
    def __init__(self, origin: str = "http://localhost", *, counter: bool = True) -> None:
        """`counter=False` behaves like synced passkeys (a phone's password manager), which
        always report a sign count of 0, so the count cannot reveal a replayed answer."""
        self.origin = origin
        self.counter = counter
        self.credentials: list[Credential] = []

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        ).encode()

    def create(
        self, options: dict[str, Any], *, credential_id: bytes | None = None
    ) -> dict[str, Any]:
        """Answer navigator.credentials.create(): a new passkey, as the JSON a browser posts.

        `credential_id` forces the new passkey's id, as only a made-up answer could.
        """
        rp_id = options["rp"]["id"]
        excluded = {
            base64url_to_bytes(item["id"]) for item in options.get("excludeCredentials", [])
        }
        if any(credential.id in excluded for credential in self.credentials):
            raise InvalidStateError
        user_id = base64url_to_bytes(options["user"]["id"])
        credential = Credential(
            id=credential_id or os.urandom(16),
            rp_id=rp_id,
            user_id=user_id,
            private_key=ec.generate_private_key(ec.SECP256R1()),
        )
        # One discoverable passkey per site and user id: a new one replaces the old.
        self.credentials = [
            kept
            for kept in self.credentials
            if not (kept.rp_id == rp_id and kept.user_id == user_id)
        ] + [credential]
        auth_data = (
            _sha256(rp_id.encode())
            + bytes([USER_PRESENT | USER_VERIFIED | ATTESTED_CREDENTIAL])
            + credential.sign_count.to_bytes(4, "big")
            + bytes(16)  # aaguid: none given
            + len(credential.id).to_bytes(2, "big")
            + credential.id
            + _cose_key(credential.private_key)
        )
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"])
        return _answer(
            credential,
            client_data,
            attestationObject=bytes_to_base64url(attestation),
            transports=["internal"],
        )

    def get(self, options: dict[str, Any], credential: Credential | None = None) -> dict[str, Any]:
        """Answer navigator.credentials.get() with a passkey for the site (the newest, unless
        the person picks `credential`)."""
        rp_id = options["rpId"]
        if credential is None:
            for_site = [held for held in self.credentials if held.rp_id == rp_id]
            assert for_site, f"No passkey for {rp_id}"
            credential = for_site[-1]
        if self.counter:
            credential.sign_count += 1
        auth_data = (
            _sha256(rp_id.encode())
            + bytes([USER_PRESENT | USER_VERIFIED])
            + credential.sign_count.to_bytes(4, "big")
        )
        client_data = self._client_data("webauthn.get", options["challenge"])
        signature = credential.private_key.sign(
            auth_data + _sha256(client_data), ec.ECDSA(hashes.SHA256())
        )
        return _answer(
            credential,
            client_data,
            authenticatorData=bytes_to_base64url(auth_data),
            signature=bytes_to_base64url(signature),
            userHandle=bytes_to_base64url(credential.user_id),
        )

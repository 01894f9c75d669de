"""Passkeys (WebAuthn) with py_webauthn. Challenges are kept in the database and spent on
first use; the browser's session holds only the id of the one in progress (the views keep
it: this module knows nothing of sessions)."""

from __future__ import annotations

import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, select, update
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from passport import clock, crypto, unit_of_work
from passport.accounts.models import Account, Passkey, WebAuthnChallenge
from passport.database import db

RP_NAME = "Needs Passport"
REGISTER, SIGN_IN = "register", "sign-in"
CHALLENGE_LIFETIME = timedelta(minutes=5)


class PasskeyError(Exception):
    """The browser's answer did not verify."""


class Ceremony(NamedTuple):
    """Options for the browser (JSON), and the kept challenge they carry: its answer must
    come back with this id."""

    options: str
    challenge_id: uuid.UUID


def _origin() -> str:
    return str(current_app.config["SETTINGS"].base_url)


def _rp_id() -> str:
    return urlsplit(_origin()).hostname or "localhost"


def registration_options(user_id: bytes, user_name: str, existing: list[bytes]) -> Ceremony:
    options = generate_registration_options(
        rp_id=_rp_id(),
        rp_name=RP_NAME,
        user_id=user_id,
        user_name=user_name,
        user_display_name=user_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=cid) for cid in existing],
    )
    return Ceremony(options_to_json(options), _keep_challenge(options.challenge, REGISTER))


def _keep_challenge(challenge: bytes, purpose: str) -> uuid.UUID:
    """Keep a new challenge (the caller commits); returns its id."""
    now = clock.now()
    db.session.execute(delete(WebAuthnChallenge).where(WebAuthnChallenge.expires_at <= now))
    kept = WebAuthnChallenge(
        challenge_hash=crypto.token_hash(bytes_to_base64url(challenge)),
        purpose=purpose,
        created_at=now,
        expires_at=now + CHALLENGE_LIFETIME,
    )
    db.session.add(kept)
    return kept.id


def _answered_challenge(credential: dict[str, Any]) -> str:
    """The challenge the browser says it answered, from its client data."""
    try:
        client_data = json.loads(base64url_to_bytes(credential["response"]["clientDataJSON"]))
        challenge = client_data["challenge"]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise PasskeyError("The answer names no challenge.") from None
    if not isinstance(challenge, str):
        raise PasskeyError("The answer names no challenge.")
    return challenge


def _take_challenge(
    purpose: str, credential: dict[str, Any], challenge_id: uuid.UUID | None
) -> bytes:
    """Spend the challenge this browser was given, before the answer is checked.

    One conditional UPDATE, committed at once: of two verifications at the same moment only
    one goes on, and an answer that then fails has used the challenge up all the same.
    """
    if challenge_id is None:
        raise PasskeyError("No passkey request is in progress.")
    now = clock.now()
    spent = db.session.execute(  # type: ignore[attr-defined]
        update(WebAuthnChallenge)
        .where(
            WebAuthnChallenge.id == challenge_id,
            WebAuthnChallenge.purpose == purpose,
            WebAuthnChallenge.used_at.is_(None),
            WebAuthnChallenge.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    unit_of_work.commit_now()  # spent even if the answer then fails: see above
    if spent != 1:
        raise PasskeyError("The passkey request has expired or was already used.")
    answered = _answered_challenge(credential)
    kept = db.session.scalar(
        select(WebAuthnChallenge.challenge_hash).where(WebAuthnChallenge.id == challenge_id)
    )
    if kept is None or not hmac.compare_digest(kept, crypto.token_hash(answered)):
        raise PasskeyError("The answer is for another passkey request.")
    return base64url_to_bytes(answered)


@dataclass(frozen=True)
class NewPasskey:
    """A passkey the browser has made, verified, not yet stored."""

    credential_id: bytes
    public_key: bytes
    sign_count: int
    transports: str


def verify_registration(credential: dict[str, Any], challenge_id: uuid.UUID | None) -> NewPasskey:
    """Check the browser's answer to registration_options; spends the challenge."""
    challenge = _take_challenge(REGISTER, credential, challenge_id)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=_rp_id(),
            expected_origin=_origin(),
        )
    # WebAuthnException, not only Invalid…Response: a malformed answer fails earlier, while
    # parsing its JSON, CBOR or authenticator data, and that is the browser's fault, not ours.
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError(str(error)) from None
    # A passkey belongs to one account. The browser's exclude list stops an honest
    # authenticator registering one twice; this stops a made-up answer that tries to.
    taken = select(Passkey.id).where(Passkey.credential_id == verified.credential_id)
    if db.session.scalar(taken) is not None:
        raise PasskeyError("This passkey is already registered.")
    transports = credential.get("response", {}).get("transports") or []
    return NewPasskey(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=json.dumps(transports)[:200],
    )


def add_passkey(account: Account, new: NewPasskey) -> Passkey:
    passkey = Passkey(
        account_id=account.id,
        credential_id=new.credential_id,
        public_key=new.public_key,
        sign_count=new.sign_count,
        transports=new.transports,
        created_at=clock.now(),
    )
    db.session.add(passkey)
    return passkey


def authentication_options() -> Ceremony:
    options = generate_authentication_options(
        rp_id=_rp_id(), user_verification=UserVerificationRequirement.PREFERRED
    )
    return Ceremony(options_to_json(options), _keep_challenge(options.challenge, SIGN_IN))


def verify_authentication(credential: dict[str, Any], challenge_id: uuid.UUID | None) -> Account:
    """Check the browser's answer to authentication_options; spends the challenge."""
    challenge = _take_challenge(SIGN_IN, credential, challenge_id)
    try:
        credential_id = base64url_to_bytes(credential["rawId"])
    except (KeyError, TypeError, ValueError):
        raise PasskeyError("The answer had no credential id.") from None
    passkey = db.session.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
    if passkey is None:
        raise PasskeyError("Unknown passkey.")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=_rp_id(),
            expected_origin=_origin(),
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError(str(error)) from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = clock.now()
    return passkey.account

"""Passkeys (WebAuthn) with py_webauthn. Challenges live in the signed session cookie."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, session
from sqlalchemy import select
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

from passport import clock
from passport.accounts.models import Account, Passkey
from passport.database import db

RP_NAME = "Needs Passport"


class PasskeyError(Exception):
    """The browser's answer did not verify."""


def _origin() -> str:
    return str(current_app.config["SETTINGS"].base_url)


def _rp_id() -> str:
    return urlsplit(_origin()).hostname or "localhost"


def registration_options(user_id: bytes, user_name: str, existing: list[bytes]) -> str:
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
    _keep_challenge(options.challenge)
    return options_to_json(options)


CHALLENGE_LIFETIME = timedelta(minutes=5)


def _keep_challenge(challenge: bytes) -> None:
    # With the time it was made: an old session cookie replayed later, with the browser
    # answer captured with it, finds its challenge expired.
    session["webauthn_challenge"] = [bytes_to_base64url(challenge), clock.now().isoformat()]


def _take_challenge() -> bytes:
    kept = session.pop("webauthn_challenge", None)
    if not isinstance(kept, list) or len(kept) != 2:
        raise PasskeyError("No passkey request is in progress.")
    challenge, made = kept
    if datetime.fromisoformat(made) + CHALLENGE_LIFETIME < clock.now():
        raise PasskeyError("The passkey request has expired.")
    return base64url_to_bytes(challenge)


def verify_registration(account: Account, credential: dict[str, Any]) -> Passkey:
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=_take_challenge(),
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
    passkey = Passkey(
        account_id=account.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=json.dumps(transports)[:200],
        created_at=clock.now(),
    )
    db.session.add(passkey)
    return passkey


def authentication_options() -> str:
    options = generate_authentication_options(
        rp_id=_rp_id(), user_verification=UserVerificationRequirement.PREFERRED
    )
    _keep_challenge(options.challenge)
    return options_to_json(options)


def verify_authentication(credential: dict[str, Any]) -> Account:
    try:
        credential_id = base64url_to_bytes(credential["rawId"])
    except (KeyError, TypeError, ValueError):
        raise PasskeyError("The answer had no credential id.") from None
    challenge = _take_challenge()
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

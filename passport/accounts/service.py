"""Residents' accounts: finding them by e-mail without storing it, and sign-in links."""

from __future__ import annotations

import enum
import os
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from passport import clock, crypto
from passport.accounts.models import Account, SignInLink
from passport.database import db
from passport.needs import service as needs
from passport.needs import vault

LINK_LIFETIME = timedelta(minutes=30)


class LinkResult(enum.Enum):
    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    EMAIL_TAKEN = "email-taken"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_index(email: str) -> str:
    return crypto.blind_index(vault.keyring(), "email", normalise_email(email))


def find_by_email(email: str) -> Account | None:
    return db.session.scalar(select(Account).where(Account.email_index == email_index(email)))


def get_account(account_id: str) -> Account | None:
    try:
        return db.session.get(Account, uuid.UUID(account_id))
    except ValueError:
        return None


def create_account(email: str, *, verified_owner_only: bool) -> Account:
    """A new account and its passport.

    With verified_owner_only, the e-mail address is not findable until the owner opens a
    link sent to it, so nobody can claim someone else's address by making a passkey.
    """
    now = clock.now()
    account = Account(created_at=now, webauthn_user_id=os.urandom(32))
    db.session.add(account)
    passport = needs.create_passport(account.id)
    account.email_sealed = vault.seal(
        passport, "accounts", "email", account.id, normalise_email(email)
    )
    if not verified_owner_only:
        account.email_index = email_index(email)
    db.session.flush()
    return account


def account_email(account: Account) -> str | None:
    if account.email_sealed is None:
        return None
    passport = needs.passport_for(account.id)
    return vault.open_(passport, "accounts", "email", account.id, account.email_sealed)


def verified_email(account: Account) -> str | None:
    return account_email(account) if account.email_verified_at else None


def issue_sign_in_link(account: Account) -> str:
    token = crypto.new_token()
    now = clock.now()
    db.session.add(
        SignInLink(
            account_id=account.id,
            token_hash=crypto.token_hash(token),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    return token


def check_sign_in_link(token: str) -> tuple[LinkResult, SignInLink | None]:
    link = db.session.scalar(
        select(SignInLink).where(SignInLink.token_hash == crypto.token_hash(token))
    )
    if link is None:
        return LinkResult.UNKNOWN, None
    if link.used_at is not None:
        return LinkResult.USED, link
    if link.expires_at <= clock.now():
        return LinkResult.EXPIRED, link
    return LinkResult.OK, link


def redeem_sign_in_link(token: str) -> tuple[LinkResult, Account | None]:
    """Use a link once. Opening it proves the e-mail address, which is then verified."""
    result, link = check_sign_in_link(token)
    if result is not LinkResult.OK or link is None:
        return result, None
    account = db.session.get(Account, link.account_id)
    if account is None:
        return LinkResult.UNKNOWN, None
    link.used_at = clock.now()
    if account.email_index is None:
        email = account_email(account) or ""
        if find_by_email(email) is not None:
            return LinkResult.EMAIL_TAKEN, None
        account.email_index = email_index(email)
    if account.email_verified_at is None:
        account.email_verified_at = clock.now()
    return LinkResult.OK, account


def record_sign_in(account: Account) -> None:
    account.last_sign_in_at = clock.now()


def base_url() -> str:
    return str(current_app.config["SETTINGS"].base_url)

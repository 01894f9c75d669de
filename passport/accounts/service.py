"""Residents' accounts: finding them by e-mail without storing it, sign-in links, and the
passkeys a resident manages on their sign-in details page."""

from __future__ import annotations

import enum
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from passport import clock, crypto, vault
from passport.accounts import passkeys
from passport.accounts.models import Account, Passkey, SignInLink
from passport.database import db, owned_or_404
from passport.needs import service as needs

LINK_LIFETIME = timedelta(minutes=30)


class LinkResult(enum.Enum):
    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    EMAIL_TAKEN = "email-taken"
    CONFIRM = "confirm"
    CONFIRM_ELSEWHERE = "confirm-elsewhere"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_index(email: str) -> str:
    return vault.blind_index("email", normalise_email(email))


def find_by_email(email: str) -> Account | None:
    return db.session.scalar(select(Account).where(Account.email_index == email_index(email)))


def get_account(session_id: str) -> Account | None:
    """The account a session cookie names, if the session has not been ended since."""
    account_id, _, epoch = session_id.partition(".")
    try:
        account = db.session.get(Account, uuid.UUID(account_id))
    except ValueError:
        return None
    if account is None or str(account.session_epoch) != epoch:
        return None
    return account


def end_sessions(account: Account) -> None:
    """Sign the account out everywhere: every existing session cookie stops working."""
    account.session_epoch += 1


def create_account(email: str, *, verified_owner_only: bool) -> Account:
    """A new account and its passport.

    With verified_owner_only, the e-mail address is not findable until the owner opens a
    link sent to it, so nobody can claim someone else's address by making a passkey.
    """
    now = clock.now()
    account = Account(created_at=now, webauthn_user_id=os.urandom(32))
    db.session.add(account)
    # The address is sealed with the new passport's key: the vault finds it through
    # account.passport, which is only loaded for accounts already stored.
    account.passport = needs.create_passport(account.id)
    account.email_sealed = vault.seal(account, "email", normalise_email(email))
    if not verified_owner_only:
        account.email_index = email_index(email)
    db.session.flush()
    return account


def account_email(account: Account) -> str | None:
    if account.email_sealed is None:
        return None
    return vault.open(account, "email", account.email_sealed)


def address_holder(account: Account) -> Account | None:
    """Another account that this account's address already finds, if any: the address
    was typed at a passkey sign-up though it has a passport."""
    if account.email_index is not None:
        return None
    holder = find_by_email(account_email(account) or "")
    return holder if holder is not None and holder.id != account.id else None


def verified_email(account: Account) -> str | None:
    return account_email(account) if account.email_verified_at else None


SIGN_IN, CONFIRM = "sign-in", "confirm"
# A staff account's sign-in link (passport/staff): never opened at a resident's address.
STAFF_SIGN_IN = "staff-sign-in"


def issue_sign_in_link(account: Account, purpose: str = SIGN_IN) -> str:
    """A single-use link: SIGN_IN signs its holder in; CONFIRM only confirms the address."""
    token = crypto.new_token()
    now = clock.now()
    db.session.add(
        SignInLink(
            account_id=account.id,
            token_hash=crypto.token_hash(token),
            purpose=purpose,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    return token


def check_sign_in_link(
    token: str, purposes: tuple[str, ...] = (SIGN_IN, CONFIRM)
) -> tuple[LinkResult, SignInLink | None]:
    """Where a link stands; a link made for other purposes than these is unknown here."""
    link = db.session.scalar(
        select(SignInLink).where(SignInLink.token_hash == crypto.token_hash(token))
    )
    if link is None or link.purpose not in purposes:
        return LinkResult.UNKNOWN, None
    if link.used_at is not None:
        return LinkResult.USED, link
    if link.expires_at <= clock.now():
        return LinkResult.EXPIRED, link
    return LinkResult.OK, link


def _spend(link: SignInLink) -> bool:
    """Mark the link used, in one conditional UPDATE: of two requests at once, one wins."""
    spent = db.session.execute(  # type: ignore[attr-defined]
        update(SignInLink)
        .where(SignInLink.id == link.id, SignInLink.used_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(link)
    return bool(spent == 1)


def _confirm_email(account: Account) -> LinkResult:
    """Opening a link proves the address: it becomes findable and confirmed."""
    if account.email_index is None:
        email = account_email(account) or ""
        if find_by_email(email) is not None:
            return LinkResult.EMAIL_TAKEN
        account.email_index = email_index(email)
    if account.email_verified_at is None:
        account.email_verified_at = clock.now()
    return LinkResult.OK


def redeem_sign_in_link(token: str, purpose: str = SIGN_IN) -> tuple[LinkResult, Account | None]:
    """Use a sign-in link once; returns the account to sign in."""
    result, link = check_sign_in_link(token, (purpose,))
    if result is not LinkResult.OK or link is None:
        return result, None
    if link.purpose != purpose:
        return LinkResult.UNKNOWN, None
    account = db.session.get(Account, link.account_id)
    if account is None:
        return LinkResult.UNKNOWN, None
    if not _spend(link):
        return LinkResult.USED, None
    outcome = _confirm_email(account)
    return outcome, account if outcome is LinkResult.OK else None


def confirm_email_link(token: str, account: Account) -> LinkResult:
    """Use a confirmation link, only from the browser signed in to its account.

    It never signs anyone in: otherwise someone could make a passkey account with another
    person's address, and that person, following the confirmation e-mail, would sign in
    to the stranger's account and bind their address to it.
    """
    result, link = check_sign_in_link(token)
    if result is not LinkResult.OK or link is None or link.purpose != CONFIRM:
        return result if result is not LinkResult.OK else LinkResult.UNKNOWN
    if link.account_id != account.id:
        return LinkResult.CONFIRM_ELSEWHERE
    if not _spend(link):
        return LinkResult.USED
    return _confirm_email(account)


def record_sign_in(account: Account) -> None:
    account.last_sign_in_at = clock.now()


def base_url() -> str:
    return str(current_app.config["SETTINGS"].base_url)


# Sign-in details: the e-mail address and the passkeys a resident manages ----------------------


@dataclass(frozen=True)
class PasskeyView:
    id: uuid.UUID
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class SignInDetails:
    email: str
    email_confirmed: bool
    passkeys: list[PasskeyView]


def email_confirmed(account: Account) -> bool:
    """Whether a sign-in link can reach this account: the owner has opened one, and the
    address finds the account (a passkey sign-up's address is not findable until then)."""
    return account.email_verified_at is not None and account.email_index is not None


def _view(passkey: Passkey) -> PasskeyView:
    return PasskeyView(
        id=passkey.id, created_at=passkey.created_at, last_used_at=passkey.last_used_at
    )


def list_passkeys(account: Account) -> list[PasskeyView]:
    found = db.session.scalars(
        select(Passkey)
        .where(Passkey.account_id == account.id)
        .order_by(Passkey.created_at, Passkey.id)
    )
    return [_view(passkey) for passkey in found]


def sign_in_details(account: Account) -> SignInDetails:
    return SignInDetails(
        email=account_email(account) or "",
        email_confirmed=email_confirmed(account),
        passkeys=list_passkeys(account),
    )


def _own_passkey_or_404(account: Account, passkey_id: uuid.UUID) -> Passkey:
    return owned_or_404(Passkey, passkey_id, account_id=account.id)


def get_passkey_or_404(account: Account, passkey_id: uuid.UUID) -> PasskeyView:
    return _view(_own_passkey_or_404(account, passkey_id))


def count_passkeys(account: Account) -> int:
    count = select(func.count()).select_from(Passkey).where(Passkey.account_id == account.id)
    return db.session.scalar(count) or 0


def can_remove_passkey(account: Account) -> bool:
    """False when removing one would lock them out: their last passkey, and no e-mail link
    can reach them because they have not confirmed their address."""
    return email_confirmed(account) or count_passkeys(account) > 1


def remove_passkey(account: Account, passkey_id: uuid.UUID) -> bool:
    """Remove one of the account's passkeys; False (and nothing removed) if that would lock
    them out."""
    passkey = _own_passkey_or_404(account, passkey_id)
    # Lock the account row before counting: two removals at once (two tabs) would otherwise
    # each see the other passkey and together remove the last one. PostgreSQL waits here;
    # SQLite takes one writer at a time anyway.
    db.session.execute(select(Account.id).where(Account.id == account.id).with_for_update())
    if not can_remove_passkey(account):
        return False
    db.session.delete(passkey)
    db.session.flush()
    return True


def new_passkey_options(account: Account) -> passkeys.Ceremony:
    """Options to add a passkey to an account that already exists.

    The account's own user id, so every passkey a person has belongs to one user; and their
    passkeys excluded, so an authenticator that already holds one says so instead of
    replacing it (an authenticator keeps one passkey per user id and site).
    """
    existing = db.session.scalars(
        select(Passkey.credential_id).where(Passkey.account_id == account.id)
    )
    return passkeys.registration_options(
        account.webauthn_user_id,
        account_email(account) or passkeys.RP_NAME,
        existing=list(existing),
    )

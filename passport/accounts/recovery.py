"""Recovery codes: ten single-use codes a resident keeps somewhere safe, to get back into
their passport without their passkey or their e-mail (ADR 0030).

Each code is 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V), in
four groups of four: about 78 bits, so a keyed hash (HMAC under the keyring's index key)
is enough at rest and finds the code's row directly, which a salted slow hash could not.
"""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import delete, func, select, update

from passport import clock, vault
from passport.accounts.models import Account, RecoveryCode
from passport.database import db

HOW_MANY = 10
# When this many or fewer are left, the sign-in details page asks for new ones.
FEW_LEFT = 3
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
GROUPS, GROUP_LENGTH = 4, 4
LENGTH = GROUPS * GROUP_LENGTH


def _new_code() -> str:
    text = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(text[i : i + GROUP_LENGTH] for i in range(0, LENGTH, GROUP_LENGTH))


def normalise(typed: str) -> str | None:
    """A code as typed (any case, with or without spaces and dashes) as stored, or None
    if it cannot be one."""
    text = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return "-".join(text[i : i + GROUP_LENGTH] for i in range(0, LENGTH, GROUP_LENGTH))


def _hash(code: str) -> str:
    return vault.blind_index("recovery-code", code)


def regenerate(account: Account) -> list[str]:
    """Ten new codes for the account, replacing any it had; shown once, then only hashes."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    now = clock.now()
    codes = [_new_code() for _ in range(HOW_MANY)]
    db.session.add_all(
        RecoveryCode(id=uuid.uuid4(), account_id=account.id, code_hash=_hash(code), created_at=now)
        for code in codes
    )
    db.session.flush()
    return codes


def count_left(account: Account) -> int:
    query = (
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None))
    )
    return db.session.scalar(query) or 0


def redeem(typed: str) -> Account | None:
    """The resident account a recovery code belongs to, spending the code; None for a code
    that is wrong, already used, or not a resident's.

    Spent in one conditional UPDATE: of two requests with the same code at once, one wins.
    """
    code = normalise(typed)
    if code is None:
        return None
    found = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None)
        )
    )
    if found is None:
        return None
    account = db.session.get(Account, found.account_id)
    if account is None or account.is_staff:
        return None
    spent = db.session.execute(  # type: ignore[attr-defined]
        update(RecoveryCode)
        .where(RecoveryCode.id == found.id, RecoveryCode.used_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(found)
    return account if spent == 1 else None

"""Who a passport belongs to, and who else may act on it (docs/adr/0013-who-owns-a-passport.md).

A passport is owned by the account that signs in to it, or held for someone who has no
account yet (made with help at an information point) until they claim it. Someone else acts
on a passport only under the person's consent: a volunteer, for this visit or a few days.
Assisted mode builds its pages on these functions; residents' pages need none of them.
"""

from __future__ import annotations

import enum
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from passport import clock, vault
from passport.database import db
from passport.needs import service as needs
from passport.needs.models import Consent, Passport

# "A few days for follow-up" at most: after that the person must be there to consent again.
LONGEST_CONSENT = timedelta(days=14)


class Permission(enum.StrEnum):
    """What a person may let a volunteer do for them: the consent statement names each."""

    RECORD_NEEDS = "record-needs"
    SEARCH = "search"
    REFER = "refer"
    SHARE = "share"


@dataclass(frozen=True)
class ConsentDetails:
    """What a consent says. Sealed: it names a volunteer and a place, which can say a need."""

    agent_id: uuid.UUID  # the volunteer's account
    agent_name: str  # their first name, for "added with help from ..."
    place: str  # the information point, as it was named then
    permissions: frozenset[Permission]
    language: str  # the language the person heard the statement in

    def to_json(self) -> str:
        return json.dumps(
            {
                "agent_id": str(self.agent_id),
                "agent_name": self.agent_name,
                "place": self.place,
                "permissions": sorted(self.permissions),
                "language": self.language,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ConsentDetails:
        raw = json.loads(text)
        return cls(
            agent_id=uuid.UUID(raw["agent_id"]),
            agent_name=raw["agent_name"],
            place=raw["place"],
            permissions=frozenset(Permission(p) for p in raw["permissions"]),
            language=raw["language"],
        )


class ClaimRefusedError(Exception):
    """The account already owns a passport: one account, one passport."""


def hold_for_someone() -> Passport:
    """A passport made for someone who has no account yet; nobody can sign in to it."""
    return needs.create_passport(None)


def claim(passport_id: uuid.UUID, account_id: uuid.UUID) -> bool:
    """The person takes their passport over. Done once, by one conditional UPDATE: of two
    claims at once (two cards, two phones), one wins and the other finds it owned (False)."""
    if db.session.scalar(select(Passport.id).where(Passport.account_id == account_id)):
        raise ClaimRefusedError(account_id)
    claimed = db.session.execute(  # type: ignore[attr-defined]
        update(Passport)
        .where(Passport.id == passport_id, Passport.account_id.is_(None))
        .values(account_id=account_id, claimed_at=clock.now())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    return bool(claimed == 1)


def record_consent(passport: Passport, details: ConsentDetails, *, until: datetime) -> Consent:
    now = clock.now()
    if not now < until <= now + LONGEST_CONSENT:
        raise ValueError("A consent lasts from now for at most 14 days.")
    consent = Consent(passport_id=passport.id, passport=passport, created_at=now, expires_at=until)
    consent.details_sealed = vault.seal(consent, "details", details.to_json())
    db.session.add(consent)
    return consent


def details(consent: Consent) -> ConsentDetails:
    return ConsentDetails.from_json(vault.open(consent, "details", consent.details_sealed))


def consent_in_force(consent_id: uuid.UUID, agent_id: uuid.UUID) -> Consent | None:
    """The consent under which this volunteer may act now, or None: unknown, someone
    else's, ended or expired are all the same to the caller (a 404, not a reason)."""
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.ended_at is not None or consent.expires_at <= clock.now():
        return None
    if details(consent).agent_id != agent_id:
        return None
    return consent


def end_consent(consent: Consent) -> None:
    """The visit's session ended, or the person took their consent back."""
    if consent.ended_at is None:
        consent.ended_at = clock.now()

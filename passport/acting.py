"""Who is acting, and on whose passport: decided once per request, by the access decorator.

`current_actor` is the signed-in person and the capacity they act in; `current_passport` is
the passport they act on. Views and services read these and never work either out again.
Today every actor is a resident acting on their own passport; assisted mode adds a
volunteer acting on someone else's, with that person's consent
(docs/adr/0013-who-owns-a-passport.md).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from flask import abort, g
from flask_login import current_user
from werkzeug.local import LocalProxy

if TYPE_CHECKING:
    from passport.accounts.models import Account
    from passport.needs.models import Consent, Passport


class Role(enum.StrEnum):
    # The passport's owner, on their own passport.
    RESIDENT = "resident"
    # Someone helping, on another person's passport, under a consent in force.
    VOLUNTEER = "volunteer"
    # A member of an organisation's staff (passport/staff): no passport of their own.
    STAFF = "staff"


@dataclass(frozen=True)
class Actor:
    account: Account
    role: Role = Role.RESIDENT
    # The consent a volunteer acts under; None for the owner.
    consent_id: uuid.UUID | None = None
    # The organisation a member of staff acts for, on its pages; None elsewhere.
    organisation_id: uuid.UUID | None = None

    @property
    def is_owner(self) -> bool:
        return self.role is Role.RESIDENT


def act_as_resident() -> None:
    """The signed-in resident acts on their own passport (their account has at most one)."""
    account: Account = current_user._get_current_object()
    g.actor = Actor(account)
    g.passport = account.passport


def act_with_consent(consent: Consent) -> None:
    """The signed-in volunteer acts on someone else's passport, under the consent that
    person gave (assisted mode's decorator calls this once the consent is found in force:
    passport/needs/ownership.consent_in_force)."""
    account: Account = current_user._get_current_object()
    g.actor = Actor(account, Role.VOLUNTEER, consent.id)
    g.passport = consent.passport


def act_as_staff(organisation_id: uuid.UUID | None = None) -> None:
    """The signed-in member of staff acts for their work, for one organisation on its
    pages: never on a passport (staff reach one only through what is shared with their
    organisation)."""
    account: Account = current_user._get_current_object()
    g.actor = Actor(account, Role.STAFF, organisation_id=organisation_id)
    g.passport = None


def _actor() -> Actor:
    if "actor" not in g:
        raise RuntimeError("No access decorator has said who is acting in this request.")
    return cast(Actor, g.actor)


def _passport() -> Passport:
    if "actor" not in g:
        raise RuntimeError("No access decorator has said whose passport this request is for.")
    if g.passport is None:
        abort(404)  # an account without a passport has nothing to show here
    return cast("Passport", g.passport)


current_actor = cast(Actor, LocalProxy(_actor))
current_passport = cast("Passport", LocalProxy(_passport))


def actor_if_any() -> Actor | None:
    """On a page anyone may see: the signed-in person, if there is one."""
    if "actor" in g:
        return cast(Actor, g.actor)
    if current_user.is_authenticated:
        account = current_user._get_current_object()
        return Actor(account, Role.STAFF if account.is_staff else Role.RESIDENT)
    return None


def passport_if_any() -> Passport | None:
    """On a page anyone may see: the passport of whoever is signed in, if there is one."""
    if "actor" in g:
        return cast("Passport | None", g.passport)
    actor = actor_if_any()
    return actor.account.passport if actor is not None else None

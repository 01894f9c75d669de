"""Staff: accounts of their own kind (ADR 0026), memberships with roles, invitations, the
rule that an organisation keeps an admin, and each organisation's data key.

A staff account's e-mail address is sealed under its own data key and found by a keyed
hash with its own purpose ("staff-email"): the same address may have a passport too, and
the two accounts never meet.
"""

from __future__ import annotations

import enum
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from passport import clock, crypto, notify, vault
from passport.accounts import passkeys
from passport.accounts import service as accounts
from passport.accounts.models import Account
from passport.database import db
from passport.directory.models import Organisation
from passport.errors import DomainError, NotFoundError
from passport.staff.models import OrganisationKey, StaffAccount, StaffInvitation, StaffMembership
from passport.staff.roles import IN_ORGANISATION, ROLE_NAMES, SITE_WIDE, Can, StaffRole, may

INVITATION_LIFETIME = timedelta(days=7)
STAFF_EMAIL = "staff-email"  # the blind index's purpose: never the residents' "email"


# Accounts ------------------------------------------------------------------------------------


def email_index(email: str) -> str:
    return vault.blind_index(STAFF_EMAIL, accounts.normalise_email(email))


def find_by_email(email: str) -> StaffAccount | None:
    return db.session.scalar(
        select(StaffAccount).where(StaffAccount.email_index == email_index(email))
    )


def create_account(email: str, *, locale: str = "en") -> StaffAccount:
    """A staff account for an address its owner has just proved (an invitation sent to it)."""
    now = clock.now()
    account = StaffAccount(
        created_at=now, webauthn_user_id=os.urandom(32), locale=locale, email_verified_at=now
    )
    vault.new_key(account)
    account.email_sealed = vault.seal(account, "email", accounts.normalise_email(email))
    account.email_index = email_index(email)
    db.session.add(account)
    db.session.flush()
    return account


def as_staff(account: Account) -> StaffAccount | None:
    """The account as a member of staff; None for a resident's."""
    return account if isinstance(account, StaffAccount) else None


def email_of(account: StaffAccount) -> str:
    return accounts.account_email(account) or ""


def issue_sign_in_link(account: StaffAccount) -> str:
    return accounts.issue_sign_in_link(account, accounts.STAFF_SIGN_IN)


def check_sign_in_link(token: str) -> accounts.LinkResult:
    result, _link = accounts.check_sign_in_link(token, (accounts.STAFF_SIGN_IN,))
    return result


def redeem_sign_in_link(token: str) -> tuple[accounts.LinkResult, StaffAccount | None]:
    result, account = accounts.redeem_sign_in_link(token, accounts.STAFF_SIGN_IN)
    if not isinstance(account, StaffAccount):
        return (result if account is None else accounts.LinkResult.UNKNOWN), None
    return result, account


# Memberships ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationView:
    id: uuid.UUID
    slug: str
    name: str


@dataclass(frozen=True)
class MembershipView:
    id: uuid.UUID
    role: StaffRole
    organisation: OrganisationView | None  # None: a site-wide role

    @property
    def manages_team(self) -> bool:
        return may(self.role, Can.MANAGE_TEAM)

    @property
    def manages_listings(self) -> bool:
        return may(self.role, Can.MANAGE_LISTINGS)


def _organisation_view(organisation: Organisation) -> OrganisationView:
    return OrganisationView(organisation.id, organisation.slug, organisation.name)


def memberships(account: StaffAccount) -> list[MembershipView]:
    """The account's roles: site-wide first, then its organisations by name."""
    rows = db.session.execute(
        select(StaffMembership, Organisation)
        .outerjoin(Organisation, Organisation.id == StaffMembership.organisation_id)
        .where(StaffMembership.account_id == account.id)
        .order_by(Organisation.name.is_not(None), Organisation.name, StaffMembership.role)
    )
    return [
        MembershipView(
            membership.id,
            StaffRole(membership.role),
            _organisation_view(organisation) if organisation is not None else None,
        )
        for membership, organisation in rows
    ]


def organisation_for(
    account: StaffAccount, slug: str, roles: tuple[StaffRole, ...]
) -> tuple[OrganisationView, StaffRole] | None:
    """The organisation at `slug` and the account's role there, if it holds one of `roles`;
    None for anyone else (and for no such organisation: the same answer)."""
    found = db.session.execute(
        select(Organisation, StaffMembership.role)
        .join(StaffMembership, StaffMembership.organisation_id == Organisation.id)
        .where(
            Organisation.slug == slug,
            StaffMembership.account_id == account.id,
            StaffMembership.role.in_([role.value for role in roles]),
        )
    ).first()
    if found is None:
        return None
    organisation, role = found
    return _organisation_view(organisation), StaffRole(role)


def member_of(
    account: StaffAccount, organisation_id: uuid.UUID, roles: tuple[StaffRole, ...]
) -> bool:
    """Whether the account holds one of `roles` in the organisation (a share link pasted by
    its staff opens without a code)."""
    found = select(StaffMembership.id).where(
        StaffMembership.account_id == account.id,
        StaffMembership.organisation_id == organisation_id,
        StaffMembership.role.in_([role.value for role in roles]),
    )
    return db.session.scalar(found) is not None


def holds_site_wide(account: StaffAccount, role: StaffRole) -> bool:
    found = select(StaffMembership.id).where(
        StaffMembership.account_id == account.id,
        StaffMembership.organisation_id.is_(None),
        StaffMembership.role == role.value,
    )
    return db.session.scalar(found) is not None


def _add_membership(
    account: StaffAccount, organisation_id: uuid.UUID | None, role: StaffRole
) -> None:
    """Give the account the role; a role it holds there already is kept as it is (an
    invitation never demotes anyone, nor takes an organisation's last admin away)."""
    held = select(StaffMembership.id).where(
        StaffMembership.account_id == account.id,
        StaffMembership.organisation_id.is_(None)
        if organisation_id is None
        else StaffMembership.organisation_id == organisation_id,
    )
    if organisation_id is None:
        held = held.where(StaffMembership.role == role.value)
    if db.session.scalar(held) is not None:
        return
    db.session.add(
        StaffMembership(
            account_id=account.id,
            organisation_id=organisation_id,
            role=role.value,
            created_at=clock.now(),
        )
    )
    db.session.flush()


@dataclass(frozen=True)
class OrganisationTeam:
    organisation: OrganisationView
    admins: int


def organisations_and_admins() -> list[OrganisationTeam]:
    """Every organisation in the directory, by name, with how many admins it has."""
    admins = (
        select(StaffMembership.organisation_id, func.count().label("admins"))
        .where(StaffMembership.role == StaffRole.ADMIN.value)
        .group_by(StaffMembership.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Organisation, func.coalesce(admins.c.admins, 0))
        .outerjoin(admins, admins.c.organisation_id == Organisation.id)
        .order_by(Organisation.name, Organisation.slug)
    )
    return [OrganisationTeam(_organisation_view(org), int(count)) for org, count in rows]


# Invitations ---------------------------------------------------------------------------------


class InvitationRoleError(DomainError):
    """A role that cannot be held where it was offered (a site-wide role in an
    organisation, or an organisation's role with none)."""

    code = "role-not-here"
    message = "That role cannot be held there."


class InvitationState(enum.Enum):
    OK = "ok"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class InvitationView:
    id: uuid.UUID
    email: str
    role: StaffRole
    organisation: OrganisationView | None
    expires_at: datetime


def _role_for(organisation_id: uuid.UUID | None, role: str) -> StaffRole:
    try:
        chosen = StaffRole(role)
    except ValueError:
        raise InvitationRoleError() from None
    allowed = SITE_WIDE if organisation_id is None else IN_ORGANISATION
    if chosen not in allowed:
        raise InvitationRoleError()
    return chosen


def find_organisation(slug: str) -> OrganisationView | None:
    found = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    return _organisation_view(found) if found is not None else None


def invite(
    email: str,
    role: str,
    organisation: OrganisationView | None,
    *,
    invited_by: StaffAccount | None = None,
    language: str | None = None,
) -> str:
    """Make an invitation and queue its e-mail; returns the token (only its hash is kept)."""
    organisation_id = organisation.id if organisation is not None else None
    chosen = _role_for(organisation_id, role)
    token = crypto.new_token()
    now = clock.now()
    invitation = StaffInvitation(
        organisation_id=organisation_id,
        role=chosen.value,
        token_hash=crypto.token_hash(token),
        invited_by=invited_by.id if invited_by is not None else None,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    vault.new_key(invitation)
    address = accounts.normalise_email(email)
    invitation.email_sealed = vault.seal(invitation, "email", address)
    db.session.add(invitation)
    notify.email(
        "staff_invitation",
        address,
        language=language,
        token=token,
        organisation=organisation.name if organisation is not None else None,
        role=ROLE_NAMES[chosen],
        days=INVITATION_LIFETIME.days,
    )
    return token


def _find_invitation(token: str) -> StaffInvitation | None:
    return db.session.scalar(
        select(StaffInvitation).where(StaffInvitation.token_hash == crypto.token_hash(token))
    )


def _invitation_view(invitation: StaffInvitation) -> InvitationView:
    organisation = (
        db.session.get(Organisation, invitation.organisation_id)
        if invitation.organisation_id is not None
        else None
    )
    email = (
        vault.open(invitation, "email", invitation.email_sealed)
        if invitation.email_sealed is not None and invitation.wrapped_key is not None
        else ""
    )
    return InvitationView(
        invitation.id,
        email,
        StaffRole(invitation.role),
        _organisation_view(organisation) if organisation is not None else None,
        invitation.expires_at,
    )


def check_invitation(token: str) -> tuple[InvitationState, InvitationView | None]:
    invitation = _find_invitation(token)
    if invitation is None:
        return InvitationState.UNKNOWN, None
    if invitation.used_at is not None:
        return InvitationState.USED, None
    if invitation.expires_at <= clock.now():
        return InvitationState.EXPIRED, None
    return InvitationState.OK, _invitation_view(invitation)


def invitee(token: str) -> StaffAccount | None:
    """The staff account an invitation's address has already, if any."""
    state, invitation = check_invitation(token)
    if state is not InvitationState.OK or invitation is None:
        return None
    return find_by_email(invitation.email)


def accept(token: str, *, locale: str = "en") -> tuple[InvitationState, StaffAccount | None]:
    """Spend the invitation (one conditional UPDATE: of two at once, one wins), then find or
    make the staff account for its address and give it the role. Opening the link proved
    the address. The invitation's key is destroyed: its address is not kept."""
    state, view = check_invitation(token)
    if state is not InvitationState.OK or view is None:
        return state, None
    now = clock.now()
    spent = db.session.execute(  # type: ignore[attr-defined]
        update(StaffInvitation)
        .where(
            StaffInvitation.id == view.id,
            StaffInvitation.used_at.is_(None),
            StaffInvitation.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        return InvitationState.USED, None
    account = find_by_email(view.email) or create_account(view.email, locale=locale)
    _add_membership(
        account, view.organisation.id if view.organisation is not None else None, view.role
    )
    invitation = db.session.get(StaffInvitation, view.id)
    assert invitation is not None
    db.session.refresh(invitation)
    invitation.accepted_by = account.id
    invitation.email_sealed = None
    vault.destroy_key(invitation)
    return InvitationState.OK, account


def pending_invitations(organisation: OrganisationView) -> list[InvitationView]:
    """Invitations to the organisation not yet accepted and not expired, newest first."""
    found = db.session.scalars(
        select(StaffInvitation)
        .where(
            StaffInvitation.organisation_id == organisation.id,
            StaffInvitation.used_at.is_(None),
            StaffInvitation.expires_at > clock.now(),
        )
        .order_by(StaffInvitation.created_at.desc())
    )
    return [_invitation_view(invitation) for invitation in found]


# Passkeys for staff: the residents' ceremony, on a staff account -----------------------------


def invitation_passkey_options(token: str, pending_user_id: bytes) -> passkeys.Ceremony:
    """Options to make a passkey while accepting: for the address's staff account if it
    has one (its passkeys excluded), or for the account about to be made."""
    state, view = check_invitation(token)
    if state is not InvitationState.OK or view is None:
        raise NotFoundError("staff_invitations")
    existing = find_by_email(view.email)
    if existing is not None:
        return accounts.new_passkey_options(existing)
    return passkeys.registration_options(pending_user_id, view.email, existing=[])


def accept_with_passkey(
    token: str, new: passkeys.NewPasskey, pending_user_id: bytes, *, locale: str = "en"
) -> tuple[InvitationState, StaffAccount | None]:
    """Accept, and keep the passkey the invitee has just made on their staff account."""
    fresh = invitee(token) is None
    state, account = accept(token, locale=locale)
    if account is None:
        return state, None
    if fresh:
        account.webauthn_user_id = pending_user_id
    passkeys.add_passkey(account, new)
    return state, account


# The team: the last admin stays --------------------------------------------------------------


class TeamChange(enum.Enum):
    DONE = "done"
    LAST_ADMIN = "last-admin"


@dataclass(frozen=True)
class MemberView:
    id: uuid.UUID
    account_id: uuid.UUID
    email: str
    role: StaffRole
    since: datetime


def team(organisation: OrganisationView) -> list[MemberView]:
    """The organisation's staff, admins first, then by address."""
    rows = db.session.execute(
        select(StaffMembership, StaffAccount)
        .join(StaffAccount, StaffAccount.id == StaffMembership.account_id)
        .where(StaffMembership.organisation_id == organisation.id)
    )
    members = [
        MemberView(
            membership.id,
            account.id,
            email_of(account),
            StaffRole(membership.role),
            membership.created_at,
        )
        for membership, account in rows
    ]
    order = {role: number for number, role in enumerate(StaffRole)}
    return sorted(members, key=lambda member: (order[member.role], member.email))


def member(organisation: OrganisationView, membership_id: uuid.UUID) -> MemberView:
    for found in team(organisation):
        if found.id == membership_id:
            return found
    raise NotFoundError("staff_memberships")


def _lock_team(organisation_id: uuid.UUID) -> None:
    """Changes to one organisation's team, one at a time. PostgreSQL holds the
    organisation's row until commit, so the statement after it counts what the other has
    committed; SQLite writes one statement at a time anyway, and counts inside it."""
    db.session.execute(
        select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
    )


def _others_are_admins(organisation_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """In one statement: whether the organisation has more than one admin."""
    other = aliased(StaffMembership)
    admins = (
        select(func.count())
        .select_from(other)
        .where(other.organisation_id == organisation_id, other.role == StaffRole.ADMIN.value)
        .scalar_subquery()
    )
    return admins > 1


def _outcome(changed: int, organisation: OrganisationView, membership_id: uuid.UUID) -> TeamChange:
    if changed == 1:
        return TeamChange.DONE
    member(organisation, membership_id)  # not in this organisation: a 404
    return TeamChange.LAST_ADMIN


def remove_member(organisation: OrganisationView, membership_id: uuid.UUID) -> TeamChange:
    """Remove someone from the team, unless they are its last admin: one conditional
    DELETE, after the team's lock, so two admins removing each other cannot both win."""
    _lock_team(organisation.id)
    changed = db.session.execute(  # type: ignore[attr-defined]
        delete(StaffMembership)
        .where(
            StaffMembership.id == membership_id,
            StaffMembership.organisation_id == organisation.id,
            or_(
                StaffMembership.role != StaffRole.ADMIN.value,
                _others_are_admins(organisation.id),
            ),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    return _outcome(changed, organisation, membership_id)


def change_role(organisation: OrganisationView, membership_id: uuid.UUID, role: str) -> TeamChange:
    """Give a member another role; the last admin cannot be made anything else."""
    chosen = _role_for(organisation.id, role)
    _lock_team(organisation.id)
    keeps_an_admin = (
        true()
        if chosen is StaffRole.ADMIN
        else or_(StaffMembership.role != StaffRole.ADMIN.value, _others_are_admins(organisation.id))
    )
    changed = db.session.execute(  # type: ignore[attr-defined]
        update(StaffMembership)
        .where(
            StaffMembership.id == membership_id,
            StaffMembership.organisation_id == organisation.id,
            keeps_an_admin,
        )
        .values(role=chosen.value)
        .execution_options(synchronize_session=False)
    ).rowcount
    return _outcome(changed, organisation, membership_id)


# An organisation's data key (the inbox, ADR 0010) -------------------------------------------


def organisation_key(organisation_id: uuid.UUID) -> OrganisationKey:
    """The organisation's key-owning row, made on first need (two at once: one is kept)."""
    found = db.session.get(OrganisationKey, organisation_id)
    if found is not None:
        return found
    key = OrganisationKey(organisation_id=organisation_id, created_at=clock.now())
    vault.new_key(key)
    try:
        with db.session.begin_nested():
            db.session.add(key)
    except IntegrityError:
        vault.destroy_key(key)  # the one made here: never stored
        found = db.session.get(OrganisationKey, organisation_id)
        assert found is not None
        return found
    return key

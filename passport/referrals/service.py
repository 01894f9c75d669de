"""Self-referral and its lifecycle: draft, sent, opened, accepted or declined, withdrawn."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from passport import clock, events, notify, taxonomy, vault
from passport.accounts import service as accounts
from passport.accounts.models import Account
from passport.database import db, owned_or_404
from passport.directory import listing
from passport.directory import service as directory
from passport.directory.models import CONTENT_LANGUAGE, Service
from passport.errors import DomainError, NotFoundError
from passport.referrals import lifecycle
from passport.referrals.lifecycle import Move, Status
from passport.referrals.models import Referral, ReferralEvent
from passport.sharing import service as sharing

if TYPE_CHECKING:
    from passport.needs.models import Passport

MESSAGE_MAX = 2000
REASON_MAX = 1000
SHARE_PERIODS = (30, 90, 180)
DEFAULT_SHARE_DAYS = 90


def preselected_sections(available: list[str], service_categories: Iterable[str]) -> list[str]:
    """What a new referral shares unless the person changes it: 'About you', so the service
    can reach them, and their needs that the service helps with."""
    helps_with = set(service_categories)
    return [s for s in available if s == taxonomy.ABOUT_SECTION or s in helps_with]


def share_period(days: int) -> str:
    """How long a share lasts, said one way everywhere: the form, the check page, e-mails."""
    if days % 30 == 0:
        return ngettext("%(num)s month", "%(num)s months", days // 30)
    return ngettext("%(num)s day", "%(num)s days", days)


STATUS_NAMES = {
    Status.DRAFT: _l("Not sent yet"),
    Status.SENT: _l("Sent"),
    Status.OPENED: _l("Opened"),
    Status.ACCEPTED: _l("Accepted"),
    Status.DECLINED: _l("Declined"),
    Status.WITHDRAWN: _l("Withdrawn"),
}


@dataclass(frozen=True)
class ReferredOrganisation:
    name: str
    # The language of the name: the directory's, or None for our own words (the page's).
    content_language: str | None


@dataclass(frozen=True)
class ReferredService:
    """The service a referral was made to, as its pages name it. Once the service has left
    the directory, the names it had when the referral was made; for a referral older than
    those names, our own words."""

    id: uuid.UUID
    name: str
    organisation: ReferredOrganisation
    categories: list[str]
    slug: str | None  # None: no longer listed, so nothing to link to
    content_language: str | None

    @property
    def listed(self) -> bool:
        return self.slug is not None


@dataclass(frozen=True)
class ReferralView:
    id: uuid.UUID
    service: ReferredService
    status: Status
    sections: list[str]
    message: str
    share_days: int
    decline_reason: str
    created_at: datetime
    updated_at: datetime
    events: list[ReferralEvent]

    @property
    def status_name(self) -> str:
        return str(STATUS_NAMES[self.status])

    @property
    def status_class(self) -> str:
        """The tag's colour (app.css has one per status)."""
        return f"np-status--{self.status.value}"

    @property
    def can_withdraw(self) -> bool:
        return lifecycle.can(Move.WITHDRAW, self.status)

    @property
    def can_answer(self) -> bool:
        """Whether the organisation may still accept or decline."""
        return lifecycle.awaiting_answer(self.status)

    @property
    def is_accepted(self) -> bool:
        return self.status is Status.ACCEPTED

    @property
    def is_declined(self) -> bool:
        return self.status is Status.DECLINED

    @property
    def share_period(self) -> str:
        return share_period(self.share_days)


def view(referral: Referral) -> ReferralView:
    def open_(field: str, blob: bytes | None) -> str:
        return vault.open(referral, field, blob) if blob else ""

    return ReferralView(
        id=referral.id,
        service=_referred_service(referral),
        status=Status(referral.status),
        sections=vault.open_sections(referral, referral.sections_sealed),
        message=open_("message", referral.message_sealed),
        share_days=referral.share_days,
        decline_reason=open_("decline_reason", referral.decline_reason_sealed),
        created_at=referral.created_at,
        updated_at=referral.updated_at,
        events=list(referral.events),
    )


class ServiceLeftDirectoryError(DomainError):
    """The referral's service is no longer in the directory: the referral can still be read,
    but nothing more can be sent to the service through it."""

    status = 410
    code = "service-left-directory"


def _service_id(referral: Referral) -> uuid.UUID:
    return uuid.UUID(vault.open(referral, "service", referral.service_sealed))


class ReferralRefusedError(DomainError):
    """The service cannot be referred to now: not accepting, not running, or its listing not
    reviewed for too long (passport/directory/listing.py says why)."""

    status = 409
    code = "referral-refused"

    def __init__(self, service: Service, reason: str) -> None:
        super().__init__(service.slug)
        self.service, self.reason = service, reason


def check_can_refer(service: Service) -> None:
    """Refuse a referral the service cannot take now: when one is started, changed or sent."""
    reason = listing.referral_refusal(service)
    if reason is not None:
        raise ReferralRefusedError(service, reason)


def listed_service(referral: Referral) -> Service:
    """The referral's service, while it is in the directory."""
    service = directory.get_service(_service_id(referral))
    if service is None:
        raise ServiceLeftDirectoryError(referral.id)
    return service


def _referred_service(referral: Referral) -> ReferredService:
    service_id = _service_id(referral)
    service = directory.get_service(service_id)
    if service is not None:
        return ReferredService(
            id=service.id,
            name=service.name,
            organisation=ReferredOrganisation(
                service.organisation.name, service.organisation.content_language
            ),
            categories=list(service.categories),
            slug=service.slug,
            content_language=service.content_language,
        )
    return ReferredService(
        id=service_id,
        name=_kept_name(referral, "service_name") or _("a service no longer listed"),
        organisation=_organisation_no_longer_listed(referral),
        categories=[],
        slug=None,
        content_language=CONTENT_LANGUAGE if referral.service_name_sealed else None,
    )


def _organisation_no_longer_listed(referral: Referral) -> ReferredOrganisation:
    kept = _kept_name(referral, "organisation_name")
    if kept:
        return ReferredOrganisation(kept, CONTENT_LANGUAGE)
    if referral.grant is not None:
        # An older referral, without the names: the share names the organisation.
        with contextlib.suppress(NotFoundError):
            organisation = sharing.organisation_of(referral.grant)
            return ReferredOrganisation(organisation.name, organisation.content_language)
    return ReferredOrganisation(_("the organisation"), None)


def _kept_name(referral: Referral, field: str) -> str:
    blob = getattr(referral, f"{field}_sealed")
    return vault.open(referral, field, blob) if blob else ""


def get_referral_or_404(passport: Passport, referral_id: uuid.UUID) -> Referral:
    """The resident's own referral; anyone else's is a 404, never a 403."""
    return owned_or_404(Referral, referral_id, passport_id=passport.id)


def list_referrals(passport: Passport) -> list[ReferralView]:
    referrals = db.session.scalars(
        select(Referral)
        .where(Referral.passport_id == passport.id, Referral.status != Status.DRAFT)
        .order_by(Referral.updated_at.desc())
    )
    return [view(referral) for referral in referrals]


def by_grant(passport: Passport) -> dict[uuid.UUID, ReferralView]:
    """The resident's sent referrals, by the share grant each made: what a share or a look
    at the passport was for."""
    referrals = db.session.scalars(
        select(Referral).where(Referral.passport_id == passport.id, Referral.grant_id.is_not(None))
    )
    return {referral.grant_id: view(referral) for referral in referrals if referral.grant_id}


def save_draft(
    passport: Passport,
    service: Service,
    sections: list[str],
    message: str,
    share_days: int,
    referral: Referral | None = None,
) -> Referral:
    check_can_refer(service)
    now = clock.now()
    if referral is None:
        referral = Referral(passport=passport, status=Status.DRAFT, created_at=now)
        referral.service_sealed = vault.seal(referral, "service", str(service.id))
        db.session.add(referral)
    elif not lifecycle.can(Move.CHANGE, referral.status):
        raise StatusChangedError(referral.id)  # sent a moment ago, from another tab
    # Kept so that the referral still reads well after the service leaves the directory.
    referral.service_name_sealed = vault.seal(referral, "service_name", service.name)
    referral.organisation_name_sealed = vault.seal(
        referral, "organisation_name", service.organisation.name
    )
    referral.sections_sealed = vault.seal_sections(referral, sections)
    referral.message_sealed = vault.seal(referral, "message", message)
    referral.share_days = share_days
    referral.updated_at = now
    return referral


class StatusChangedError(DomainError):
    """Someone else moved the referral on first (a double click, or a race)."""

    status = 409
    code = "status-changed"


def _step(referral: Referral, move: Move) -> None:
    """Make a move of the lifecycle (from an allowed status only) in one conditional UPDATE.

    Two requests at once (a double-click on Send, an organisation accepting while the
    resident withdraws) cannot both succeed: the second finds the status already moved.
    """
    step = lifecycle.MOVES[move]
    now = clock.now()
    moved = db.session.execute(  # type: ignore[attr-defined]
        update(Referral)
        .where(Referral.id == referral.id, Referral.status.in_(step.from_states))
        .values(status=step.to, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(referral, ["status", "updated_at"])
    if moved != 1:
        raise StatusChangedError(referral.id)
    db.session.add(ReferralEvent(referral_id=referral.id, status=step.to, at=now))
    events.record(
        events.ReferralMoved(
            at=now,
            referral_id=referral.id,
            passport_id=referral.passport_id,
            move=move.value,
            status=step.to.value,
        )
    )


def send(passport: Passport, referral: Referral) -> None:
    """Confirm a draft: make the share grant and link, and e-mail the organisation."""
    service = listed_service(referral)
    check_can_refer(service)  # its capacity or its listing may have changed since the draft
    _step(referral, Move.SEND)
    organisation = service.organisation
    sections = vault.open_sections(referral, referral.sections_sealed)
    grant = sharing.create_grant(passport, organisation, sections, referral.share_days)
    referral.grant_id = grant.id
    token = sharing.new_link(grant)
    notify.email(
        "new_referral",
        organisation.referral_email,
        language=organisation.language,
        service=service.name,
        token=token,
        period=LazyString(share_period, referral.share_days),
    )


def needs_new_link(referral: Referral) -> bool:
    """Still open, still shared, but every link the organisation had is locked by wrong codes
    (and the service is still in the directory, to send a new one to)."""
    return (
        lifecycle.is_shared(referral.status)
        and referral.grant is not None
        and sharing.needs_new_link(referral.grant)
        and directory.get_service(_service_id(referral)) is not None
    )


def send_new_link(passport: Passport, referral: Referral) -> bool:
    """E-mail the organisation a fresh link to the same share; the locked ones stay locked.

    Returns False, sending nothing, if a new link is not needed (any more).
    """
    if not needs_new_link(referral) or not sharing.claim_new_link(referral.grant):
        return False
    service = listed_service(referral)
    token = sharing.new_link(referral.grant)
    notify.email(
        "new_link",
        service.organisation.referral_email,
        language=service.organisation.language,
        service=service.name,
        token=token,
    )
    return True


def referral_for_grant(grant_id: uuid.UUID) -> Referral:
    referral = db.session.scalar(select(Referral).where(Referral.grant_id == grant_id))
    if referral is None:
        raise NotFoundError(grant_id)
    return referral


def mark_opened(referral: Referral) -> None:
    if lifecycle.can(Move.OPEN, referral.status):
        # Opened (or answered) by another request a moment ago: nothing more to record.
        with contextlib.suppress(StatusChangedError):
            _step(referral, Move.OPEN)


def accept(referral: Referral) -> bool:
    """Accept; True if the resident is e-mailed (see _tell_resident_of_the_answer)."""
    _step(referral, Move.ACCEPT)
    return can_notify_resident(referral)


def decline(passport: Passport, referral: Referral, reason: str) -> bool:
    """Decline and end the sharing in the same transaction; True if the resident is e-mailed.

    The organisation keeps only its answer: from now on the link shows nothing.
    """
    _step(referral, Move.DECLINE)
    referral.decline_reason_sealed = vault.seal(referral, "decline_reason", reason)
    if referral.grant_id is not None:
        sharing.revoke_grant(passport, referral.grant_id)
    return can_notify_resident(referral)


def withdraw(passport: Passport, referral: Referral) -> None:
    _step(referral, Move.WITHDRAW)
    if referral.grant_id is not None:
        sharing.revoke_grant(passport, referral.grant_id)


def is_declined(grant_id: uuid.UUID) -> bool:
    """Whether the referral behind a share grant was declined (its link then shows nothing)."""
    status = db.session.scalar(select(Referral.status).where(Referral.grant_id == grant_id))
    return status == Status.DECLINED


def _resident_address(referral: Referral) -> tuple[str, str] | None:
    """The resident's confirmed e-mail address and language: nobody else is written to.
    A passport held for someone who has not claimed it has nobody to write to yet."""
    owner = referral.passport.account_id
    account = db.session.get(Account, owner) if owner is not None else None
    email = accounts.verified_email(account) if account else None
    if not email or account is None:
        return None
    return email, account.locale or "en"


def can_notify_resident(referral: Referral) -> bool:
    """Whether a reply to this referral can be e-mailed: the resident has confirmed their
    address. Pages promise an e-mail only when this is true."""
    return _resident_address(referral) is not None


@events.subscribe(events.ReferralMoved)
def _tell_resident_of_the_answer(moved: events.ReferralMoved) -> None:
    if moved.move in (Move.ACCEPT, Move.DECLINE):
        _tell_resident(db.session.get_one(Referral, moved.referral_id), "referral_update")


@events.subscribe(events.ReferralMoved)
def _tally_for_the_service(moved: events.ReferralMoved) -> None:
    """Count a referral sent to a service, and its first answer (accepting or declining is
    the only answer there is), for the service's page: only the day, the whole hours and
    whether accepted, with nothing that leads back to the referral or the resident."""
    if moved.move not in (Move.SEND, Move.ACCEPT, Move.DECLINE):
        return
    referral = db.session.get_one(Referral, moved.referral_id)
    service_id = _service_id(referral)
    if directory.get_service(service_id) is None:
        return  # it has left the directory, and its tallies with it
    if moved.move == Move.SEND:
        listing.tally_sent(service_id)
        return
    sent_at = db.session.scalar(
        select(func.min(ReferralEvent.at)).where(
            ReferralEvent.referral_id == referral.id, ReferralEvent.status == Status.SENT
        )
    )
    if sent_at is not None:  # every answered referral was sent; older data may lack the step
        listing.tally_replied(service_id, sent_at, accepted=moved.move == Move.ACCEPT)


@events.subscribe(events.LinkLocked)
def _tell_resident_the_link_is_locked(locked: events.LinkLocked) -> None:
    # Whoever holds a forwarded link can lock it; only the resident can send a new one.
    _tell_resident(referral_for_grant(locked.grant_id), "link_locked")


def _tell_resident(referral: Referral, email: str) -> None:
    """E-mail the resident that something happened to a referral; the details are only
    behind sign-in. Only a confirmed address is written to."""
    found = _resident_address(referral)
    if found is not None:
        address, locale = found
        notify.email(email, address, language=locale, referral_id=referral.id)

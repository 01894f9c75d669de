"""Self-referral and its lifecycle (passport/referrals/lifecycle.py): draft, sent, opened,
accepted or declined, in progress, on hold, completed, withdrawn; its timeline and messages."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from passport import clock, events, notify, taxonomy, vault
from passport.database import db, owned_or_404
from passport.directory import listing
from passport.directory import service as directory
from passport.directory.models import CONTENT_LANGUAGE, Service
from passport.errors import DomainError, NotFoundError
from passport.notices import service as notices
from passport.referrals import lifecycle
from passport.referrals.lifecycle import Actor, Move, Outcome, Status
from passport.referrals.models import Referral, ReferralEvent, ReferralMessage
from passport.sharing import service as sharing

if TYPE_CHECKING:
    from passport.needs.models import Passport

MESSAGE_MAX = 2000
REASON_MAX = 1000
# How long a share may last is sharing's rule (the "Shared with" page changes it too).
SHARE_PERIODS = sharing.SHARE_PERIODS
DEFAULT_SHARE_DAYS = sharing.DEFAULT_SHARE_DAYS
share_period = sharing.share_period


def preselected_sections(available: list[str], service_categories: Iterable[str]) -> list[str]:
    """What a new referral shares unless the person changes it: 'About you', so the service
    can reach them, and their needs that the service helps with."""
    helps_with = set(service_categories)
    return [s for s in available if s == taxonomy.ABOUT_SECTION or s in helps_with]


STATUS_NAMES = {
    Status.DRAFT: _l("Not sent yet"),
    Status.SENT: _l("Sent"),
    Status.OPENED: _l("Opened"),
    Status.ACCEPTED: _l("Accepted"),
    Status.DECLINED: _l("Declined"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.ON_HOLD: _l("On hold"),
    Status.COMPLETED: _l("Completed"),
    Status.WITHDRAWN: _l("Withdrawn"),
}

OUTCOME_NAMES = {
    Outcome.HELPED: _l("They got the help they needed"),
    Outcome.PARTLY_HELPED: _l("They got some of the help they needed"),
    Outcome.REFERRED_ON: _l("We referred them to another service"),
    Outcome.NO_CONTACT: _l("We could not get in touch with them"),
    Outcome.NOT_NEEDED: _l("They no longer needed help"),
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
class TimelineEntry:
    """One step on a referral's timeline, as both sides see it."""

    status: Status
    actor: Actor
    at: datetime
    reason: str = ""
    outcome: Outcome | None = None
    details: str = ""

    @property
    def status_name(self) -> str:
        return str(STATUS_NAMES[self.status])

    @property
    def outcome_name(self) -> str:
        return str(OUTCOME_NAMES[self.outcome]) if self.outcome else ""

    @property
    def by_resident(self) -> bool:
        return self.actor is Actor.RESIDENT

    @property
    def by_organisation(self) -> bool:
        return self.actor is Actor.ORGANISATION


@dataclass(frozen=True)
class MessageView:
    sender: Actor
    body: str
    at: datetime

    @property
    def from_resident(self) -> bool:
        return self.sender is Actor.RESIDENT


@dataclass(frozen=True)
class ReferralView:
    """A referral as its pages show it: the resident's, and the organisation's (whether it
    comes by a share link or, later, through its staff inbox)."""

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
    timeline: list[TimelineEntry]
    messages: list[MessageView]

    @property
    def status_name(self) -> str:
        return str(STATUS_NAMES[self.status])

    @property
    def status_class(self) -> str:
        """The tag's colour (app.css has one per status)."""
        return f"np-status--{self.status.value}"

    @property
    def fhir_status(self) -> str:
        return lifecycle.FHIR_TASK_STATUS[self.status]

    @property
    def latest(self) -> TimelineEntry | None:
        """The step that made the status what it is."""
        return self.timeline[-1] if self.timeline else None

    @property
    def status_reason(self) -> str:
        """Why it is on hold, declined or withdrawn (the decline's reason from before the
        timeline kept notes, too)."""
        latest = self.latest
        reason = latest.reason if latest and latest.status is self.status else ""
        return reason or (self.decline_reason if self.is_declined else "")

    @property
    def outcome(self) -> TimelineEntry | None:
        """The step that completed it, with its outcome."""
        latest = self.latest
        return latest if self.is_completed and latest and latest.outcome else None

    @property
    def can_withdraw(self) -> bool:
        return lifecycle.can(Move.WITHDRAW, self.status)

    @property
    def can_answer(self) -> bool:
        """Whether the organisation may still accept or decline."""
        return lifecycle.awaiting_answer(self.status)

    @property
    def can_start(self) -> bool:
        return lifecycle.can(Move.START, self.status)

    @property
    def can_hold(self) -> bool:
        return lifecycle.can(Move.HOLD, self.status)

    @property
    def can_complete(self) -> bool:
        return lifecycle.can(Move.COMPLETE, self.status)

    @property
    def can_message(self) -> bool:
        """Messages go both ways while the organisation may see the referral."""
        return can_message(self.status)

    @property
    def is_accepted(self) -> bool:
        return self.status is Status.ACCEPTED

    @property
    def is_declined(self) -> bool:
        return self.status is Status.DECLINED

    @property
    def is_in_progress(self) -> bool:
        return self.status is Status.IN_PROGRESS

    @property
    def is_on_hold(self) -> bool:
        return self.status is Status.ON_HOLD

    @property
    def is_completed(self) -> bool:
        return self.status is Status.COMPLETED

    @property
    def is_withdrawn(self) -> bool:
        return self.status is Status.WITHDRAWN

    @property
    def share_period(self) -> str:
        return share_period(self.share_days)


def can_message(status: str) -> bool:
    return lifecycle.is_shared(status)


def _entry(event: ReferralEvent) -> TimelineEntry:
    note = json.loads(vault.open(event, "note", event.note_sealed)) if event.note_sealed else {}
    outcome = note.get("outcome")
    return TimelineEntry(
        status=Status(event.status),
        actor=Actor(event.actor),
        at=event.at,
        reason=note.get("reason", ""),
        outcome=Outcome(outcome) if outcome else None,
        details=note.get("details", ""),
    )


def view(referral: Referral) -> ReferralView:
    def open_(field: str, blob: bytes | None) -> str:
        return vault.open(referral, field, blob) if blob else ""

    events = list(referral.events)
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
        events=events,
        timeline=[_entry(event) for event in events],
        messages=[
            MessageView(
                message.sender, vault.open(message, "body", message.body_sealed), message.at
            )
            for message in referral.messages
        ],
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
    """Someone else moved the referral on first (a double click, or a race). `move` is the
    move this request tried, when it tried one."""

    status = 409
    code = "status-changed"

    def __init__(self, referral_id: uuid.UUID, move: Move | None = None) -> None:
        super().__init__(referral_id)
        self.referral_id, self.move = referral_id, move


class NoteMissingError(ValueError):
    """A move that needs a reason or an outcome was made without one (the forms ask first)."""


def _note(move: Move, reason: str, outcome: Outcome | None, details: str) -> dict[str, str]:
    rule = lifecycle.MOVES[move].note
    if rule is lifecycle.Note.REASON_REQUIRED and not reason:
        raise NoteMissingError(move)
    if rule is lifecycle.Note.OUTCOME and outcome is None:
        raise NoteMissingError(move)
    note = {"reason": reason} if reason else {}
    if outcome is not None:
        note |= {"outcome": outcome.value, **({"details": details} if details else {})}
    return note


def _step(
    referral: Referral,
    move: Move,
    actor: Actor,
    *,
    reason: str = "",
    outcome: Outcome | None = None,
    details: str = "",
) -> None:
    """Make a move of the lifecycle (from an allowed status only) in one conditional UPDATE,
    and put it on the timeline with who made it and the reason or outcome it carries.

    Two requests at once (a double-click on Send, an organisation accepting while the
    resident withdraws, two colleagues) cannot both succeed: the second finds the status
    already moved.
    """
    step = lifecycle.MOVES[move]
    if actor not in step.by:
        raise ValueError(f"{actor} cannot {move}")
    note = _note(move, reason, outcome, details)
    now = clock.now()
    moved = db.session.execute(  # type: ignore[attr-defined]
        update(Referral)
        .where(Referral.id == referral.id, Referral.status.in_(step.from_states))
        .values(status=step.to, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(referral, ["status", "updated_at"])
    if moved != 1:
        raise StatusChangedError(referral.id, move)
    event = ReferralEvent(referral=referral, status=step.to, actor=actor, at=now)
    db.session.add(event)
    if note:
        with db.session.no_autoflush:  # sealing reads the referral's passport
            event.note_sealed = vault.seal(event, "note", json.dumps(note))
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
    _step(referral, Move.SEND, Actor.RESIDENT)
    organisation = service.organisation
    sections = vault.open_sections(referral, referral.sections_sealed)
    grant = sharing.create_grant(
        passport,
        organisation,
        sections,
        referral.share_days,
        purpose=sharing.Purpose(service=service.name, referral_id=referral.id),
    )
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
            _step(referral, Move.OPEN, Actor.ORGANISATION)


def accept(referral: Referral) -> bool:
    """Accept; True if the resident is told outside the service (see
    _tell_resident_of_the_update)."""
    _step(referral, Move.ACCEPT, Actor.ORGANISATION)
    return can_notify_resident(referral)


def decline(passport: Passport, referral: Referral, reason: str) -> bool:
    """Decline and end the sharing in the same transaction; True if the resident is told.

    The organisation keeps only its answer: from now on the link shows nothing.
    """
    _step(referral, Move.DECLINE, Actor.ORGANISATION, reason=reason)
    referral.decline_reason_sealed = vault.seal(referral, "decline_reason", reason)
    if referral.grant_id is not None:
        sharing.revoke_grant(passport, referral.grant_id, by="organisation")
    return can_notify_resident(referral)


def start(referral: Referral) -> bool:
    """The organisation starts work (or starts again after a hold); True if the resident
    is told."""
    _step(referral, Move.START, Actor.ORGANISATION)
    return can_notify_resident(referral)


def hold(referral: Referral, reason: str) -> bool:
    """The organisation puts its work on hold, saying why; True if the resident is told."""
    _step(referral, Move.HOLD, Actor.ORGANISATION, reason=reason)
    return can_notify_resident(referral)


def complete(passport: Passport, referral: Referral, outcome: Outcome, details: str) -> bool:
    """The organisation has finished: the outcome goes on the timeline and the sharing ends
    in the same transaction, as it does on declining. True if the resident is told."""
    _step(referral, Move.COMPLETE, Actor.ORGANISATION, outcome=outcome, details=details)
    if referral.grant_id is not None:
        sharing.revoke_grant(passport, referral.grant_id, by="organisation")
    return can_notify_resident(referral)


def withdraw(passport: Passport, referral: Referral, reason: str = "") -> None:
    _step(referral, Move.WITHDRAW, Actor.RESIDENT, reason=reason)
    if referral.grant_id is not None:
        sharing.revoke_grant(passport, referral.grant_id)


def add_message(referral: Referral, sender: Actor, body: str) -> None:
    """A message on the referral, sealed like the passport; the other side is told (without
    the message: only that there is one): the resident through notices, the organisation
    by its inbox."""
    if not can_message(referral.status):
        raise StatusChangedError(referral.id)
    now = clock.now()
    message = ReferralMessage(referral=referral, passport=referral.passport, sender=sender, at=now)
    db.session.add(message)
    with db.session.no_autoflush:  # sealing reads the referral's passport
        message.body_sealed = vault.seal(message, "body", body)
    events.record(
        events.ReferralMessageSent(
            at=now,
            referral_id=referral.id,
            passport_id=referral.passport_id,
            sender=sender.value,
        )
    )


def is_declined(grant_id: uuid.UUID) -> bool:
    """Whether the referral behind a share grant was declined (its link then shows nothing)."""
    status = db.session.scalar(select(Referral.status).where(Referral.grant_id == grant_id))
    return status == Status.DECLINED


def is_ended_by_organisation(grant_id: uuid.UUID) -> bool:
    """Whether the organisation ended the referral behind a share grant, declining or
    completing it: its link then shows nothing more."""
    status = db.session.scalar(select(Referral.status).where(Referral.grant_id == grant_id))
    return status in (Status.DECLINED, Status.COMPLETED)


def referral_by_id(referral_id: uuid.UUID) -> Referral:
    """Any referral, for a page that has already checked who may see it."""
    return db.session.get_one(Referral, referral_id)


def made_already(referral_id: uuid.UUID, move: Move) -> bool:
    """Whether the referral is where this move would have taken it (a double click, or a
    colleague doing the same): then there is nothing to tell but where it stands."""
    status = db.session.scalar(select(Referral.status).where(Referral.id == referral_id))
    return status == lifecycle.MOVES[move].to


def can_notify_resident(referral: Referral) -> bool:
    """Whether the resident will hear of a reply outside the service: by text, or at a
    confirmed e-mail address (notices.can_tell_resident). Pages promise it only when true."""
    return notices.can_tell_resident(referral.passport)


def tells_resident_by_text(referral: Referral) -> bool:
    """Whether the resident hears of a reply by text rather than e-mail."""
    return notices.tells_by_text(referral.passport)


# What happens to a referral that the resident is told of, and the notice each is (its kind
# in the notices page's words). Every one is told through notices.tell_resident: a notice,
# and a text or an e-mail that says only that there is an update, with a link.
TOLD_TO_RESIDENT: dict[Move, str] = {
    Move.OPEN: "referral_opened",
    Move.ACCEPT: "referral_accepted",
    Move.DECLINE: "referral_declined",
    Move.START: "referral_started",
    Move.HOLD: "referral_on_hold",
    Move.COMPLETE: "referral_completed",
}


@events.subscribe(events.ReferralMoved)
def _tell_resident_of_the_update(moved: events.ReferralMoved) -> None:
    kind = TOLD_TO_RESIDENT.get(Move(moved.move))
    if kind is not None:
        _tell_resident(db.session.get_one(Referral, moved.referral_id), kind)


@events.subscribe(events.ReferralMessageSent)
def _tell_resident_of_a_message(sent: events.ReferralMessageSent) -> None:
    # The organisation is told of the resident's messages by its inbox, which links to them.
    if sent.sender == Actor.ORGANISATION:
        _tell_resident(db.session.get_one(Referral, sent.referral_id), "referral_message")


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


def _tell_resident(referral: Referral, kind: str) -> None:
    """Tell the resident that something happened to a referral: the details are only
    behind sign-in."""
    notices.tell_resident(referral.passport, kind, referral_id=referral.id)


# FHIR R4 Task (ADR 0022) ----------------------------------------------------------------------

FHIR_PROFILE = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-TaskForReferralManagement"
)
FHIR_TEMPORARY_CODES = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
)


def fhir_code_system(name: str) -> str:
    """Our own code systems, for what FHIR has no codes for: the status as our pages name
    it (referral-status) and how a referral ended (referral-outcome)."""
    return f"{current_app.config['SETTINGS'].base_url}/fhir/CodeSystem/{name}"


def _fhir_instant(at: datetime) -> str:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def fhir_task(referral: Referral) -> dict[str, object]:
    """The referral as a FHIR R4 Task, following the Gravity Project's referral Task
    (SDOHCC TaskForReferralManagement) as far as a self-referral can: for the resident's
    own records or another system they choose to give it to."""
    details = view(referral)
    sent = [entry.at for entry in details.timeline if entry.status is Status.SENT]
    task: dict[str, object] = {
        "resourceType": "Task",
        "id": str(referral.id),
        "meta": {"profile": [FHIR_PROFILE]},
        "status": details.fhir_status,
        "businessStatus": {
            "coding": [
                {
                    "system": fhir_code_system("referral-status"),
                    "code": details.status.value,
                    "display": details.status_name,
                }
            ],
            "text": details.status_name,
        },
        "intent": "order",
        "code": {
            "coding": [
                {
                    "system": "http://hl7.org/fhir/CodeSystem/task-code",
                    "code": "fulfill",
                    "display": "Fulfill the focal request",
                }
            ]
        },
        "focus": {"display": details.service.name},
        "for": {"display": _("You")},
        "requester": {"display": _("You (a self-referral)")},
        "owner": {"display": details.service.organisation.name},
        "authoredOn": _fhir_instant(sent[0] if sent else details.created_at),
        "lastModified": _fhir_instant(details.updated_at),
    }
    if details.status_reason:
        task["statusReason"] = {"text": details.status_reason}
    completed = details.outcome
    if completed is not None and completed.outcome is not None:
        outcome, code = completed, completed.outcome
        value: dict[str, object] = {
            "coding": [
                {
                    "system": fhir_code_system("referral-outcome"),
                    "code": code.value,
                    "display": outcome.outcome_name,
                }
            ],
            "text": outcome.details or outcome.outcome_name,
        }
        task["output"] = [
            {
                "type": {
                    "coding": [
                        {
                            "system": FHIR_TEMPORARY_CODES,
                            "code": "resulting-activity",
                            "display": "Resulting Activity",
                        }
                    ]
                },
                "valueCodeableConcept": value,
            }
        ]
    return task

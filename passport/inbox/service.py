"""The organisation's inbox (ADR 0010): an entry for every referral sent to it, kept in step
with the referral's status in the same transaction, listed, filtered and paged without the
database linking a passport, a referral or a service to the organisation.

An entry is written when a referral is sent (its `ReferralMoved` "send"), and its status
hash follows every later move. The page opens only the rows it shows: each row's service
with the organisation's key; its status is read back from the keyed hash.
"""

from __future__ import annotations

import enum
import math
import uuid
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select

from passport import clock, events, notify, vault
from passport.database import db
from passport.directory.models import CONTENT_LANGUAGE, Organisation, Service
from passport.errors import DomainError, NotFoundError
from passport.inbox.models import InboxEntry
from passport.referrals import lifecycle
from passport.referrals import service as referrals
from passport.referrals.lifecycle import Actor, Move, Status
from passport.referrals.models import Referral, ReferralEvent
from passport.sharing import service as sharing
from passport.staff import service as staff
from passport.staff.models import OrganisationKey

PAGE_SIZE = 25
# What the inbox may be filtered by: every status a sent referral can have.
STATUSES = tuple(status for status in Status if status is not Status.DRAFT)
NEW = Status.SENT  # sent, and nobody at the organisation has opened it yet


class Sort(enum.StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"


# Keeping the inbox in step ----------------------------------------------------------------------


def _index(key: OrganisationKey, purpose: str, value: str) -> str:
    return vault.keyed_index(key, purpose, value)


def _organisation_of(referral: Referral) -> uuid.UUID | None:
    """The organisation a sent referral went to: its share names it (sealed under the
    passport's key); while sending, before the share is made, its service does."""
    if referral.grant is not None:
        try:
            return sharing.organisation_of(referral.grant).id
        except NotFoundError:
            return None  # the organisation has left the directory, and its inbox with it
    return referrals.listed_service(referral).organisation_id


def _lock(organisation_id: uuid.UUID) -> OrganisationKey:
    """The organisation's key, its row held until commit: one number at a time per
    organisation (PostgreSQL waits here; SQLite writes one transaction at a time), with the
    unique (organisation, seq) to keep any other way out."""
    key = staff.organisation_key(organisation_id)
    db.session.execute(
        select(OrganisationKey.organisation_id)
        .where(OrganisationKey.organisation_id == organisation_id)
        .with_for_update()
    )
    return key


def _add(
    key: OrganisationKey, referral: Referral, service_id: uuid.UUID, status: str, day: date
) -> None:
    """The referral's entry, numbered after the organisation's last (under _lock)."""
    last = db.session.scalar(
        select(func.max(InboxEntry.seq)).where(InboxEntry.organisation_id == key.organisation_id)
    )
    entry = InboxEntry(key=key, organisation_id=key.organisation_id, seq=(last or 0) + 1, day=day)
    entry.referral_sealed = vault.seal(entry, "referral", str(referral.id))
    entry.service_sealed = vault.seal(entry, "service", str(service_id))
    entry.referral_index = _index(key, "referral", str(referral.id))
    entry.status_index = _index(key, "status", status)
    entry.service_index = _index(key, "service", str(service_id))
    db.session.add(entry)


def _entry_of(referral: Referral) -> InboxEntry | None:
    organisation_id = _organisation_of(referral)
    key = db.session.get(OrganisationKey, organisation_id) if organisation_id else None
    if key is None:
        return None
    return db.session.scalar(
        select(InboxEntry).where(
            InboxEntry.organisation_id == organisation_id,
            InboxEntry.referral_index == _index(key, "referral", str(referral.id)),
        )
    )


@events.subscribe(events.ReferralMoved)
def _keep_in_step(moved: events.ReferralMoved) -> None:
    """Sent: a new entry; any later move: the entry's status, in the same transaction."""
    if moved.move == Move.CHANGE:
        return
    referral = db.session.get_one(Referral, moved.referral_id)
    if moved.move == Move.SEND:
        service = referrals.listed_service(referral)  # sending checked it is listed
        key = _lock(service.organisation_id)
        _add(key, referral, service.id, Status.SENT.value, clock.now().date())
        return
    entry = _entry_of(referral)
    if entry is not None:  # a referral sent before the inbox was built has none
        entry.status_index = _index(entry.key, "status", moved.status)


# Rebuilding: the referrals sent before the inbox was built -------------------------------------


class Placed(enum.Enum):
    MADE = "made"  # it had no entry: it has one now
    HAD_ONE = "had-one"
    NO_ORGANISATION = "no-organisation"  # its organisation has left the directory


def sent_referrals() -> list[tuple[uuid.UUID, date]]:
    """Every referral ever sent, oldest first, with the day it was sent (its first "sent"
    step; a referral older than its timeline, the day it was made)."""
    first_sent = (
        select(ReferralEvent.referral_id, func.min(ReferralEvent.at).label("at"))
        .where(ReferralEvent.status == Status.SENT.value)
        .group_by(ReferralEvent.referral_id)
        .subquery()
    )
    sent_at = func.coalesce(first_sent.c.at, Referral.created_at, type_=Referral.created_at.type)
    rows = db.session.execute(
        select(Referral.id, sent_at)
        .outerjoin(first_sent, first_sent.c.referral_id == Referral.id)
        .where(Referral.status != Status.DRAFT)
        .order_by(sent_at, Referral.id)
    )
    return [(referral_id, at.date()) for referral_id, at in rows]


def place(referral_id: uuid.UUID, day: date) -> Placed:
    """Give a sent referral its entry if it has none, as sending would have made it: the
    referral and service sealed under the organisation's key, its status now, the day it
    was sent, and the organisation's next number. Opening whom it went to takes the
    passport's key, which a migration does not hold: hence a command (ADR 0010)."""
    # The referral's row first, as a move takes it, then the organisation's key, as sending
    # does: a move made meanwhile waits, then finds this entry and keeps it in step.
    referral = db.session.scalars(
        select(Referral)
        .where(Referral.id == referral_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    try:
        organisation_id = _organisation_of(referral)
    except referrals.ServiceLeftDirectoryError:
        organisation_id = None
    if organisation_id is None or db.session.get(Organisation, organisation_id) is None:
        return Placed.NO_ORGANISATION
    key = _lock(organisation_id)
    if _entry_of(referral) is not None:
        return Placed.HAD_ONE
    service_id = uuid.UUID(vault.open(referral, "service", referral.service_sealed))
    _add(key, referral, service_id, referral.status.value, day)
    return Placed.MADE


# The list ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceChoice:
    id: uuid.UUID
    name: str
    content_language: str | None


@dataclass(frozen=True)
class InboxRow:
    id: uuid.UUID
    seq: int
    day: date
    status: Status
    service: ServiceChoice

    @property
    def status_name(self) -> str:
        return str(referrals.STATUS_NAMES[self.status])

    @property
    def status_class(self) -> str:
        return f"np-status--{self.status.value}"

    @property
    def is_new(self) -> bool:
        return self.status is NEW


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    pages: int


def services(organisation: staff.OrganisationView) -> list[ServiceChoice]:
    """The organisation's services in the directory, by name: what the inbox filters by."""
    found = db.session.execute(  # the two columns alone: no service's places and times
        select(Service.id, Service.name)
        .where(Service.organisation_id == organisation.id)
        .order_by(Service.name)
    )
    return [ServiceChoice(id_, name, CONTENT_LANGUAGE) for id_, name in found]


def _filters(
    key: OrganisationKey, status: Status | None, service_id: uuid.UUID | None
) -> list[ColumnElement[bool]]:
    where = [InboxEntry.organisation_id == key.organisation_id]
    if status is not None:
        where.append(InboxEntry.status_index == _index(key, "status", status.value))
    if service_id is not None:
        where.append(InboxEntry.service_index == _index(key, "service", str(service_id)))
    return where


def inbox(
    organisation: staff.OrganisationView,
    *,
    status: Status | None = None,
    service_id: uuid.UUID | None = None,
    sort: Sort = Sort.NEWEST,
    page: int = 1,
) -> InboxPage:
    """One page of the organisation's referrals: only its rows are opened."""
    key = db.session.get(OrganisationKey, organisation.id)
    if key is None:
        return InboxPage([], 0, 1, 1)
    where = _filters(key, status, service_id)
    total = db.session.scalar(select(func.count()).select_from(InboxEntry).where(*where)) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    order = InboxEntry.seq.desc() if sort is Sort.NEWEST else InboxEntry.seq.asc()
    entries = db.session.scalars(
        select(InboxEntry)
        .where(*where)
        .order_by(order)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    statuses = {_index(key, "status", s.value): s for s in Status}
    service_ids = {
        entry.id: uuid.UUID(vault.open(entry, "service", entry.service_sealed)) for entry in entries
    }
    listed = {
        id_: ServiceChoice(id_, name, CONTENT_LANGUAGE)
        for id_, name in db.session.execute(
            select(Service.id, Service.name).where(Service.id.in_(set(service_ids.values())))
        )
    }
    rows = [
        InboxRow(
            id=entry.id,
            seq=entry.seq,
            day=entry.day,
            status=statuses[entry.status_index],
            service=listed.get(service_ids[entry.id])
            or ServiceChoice(service_ids[entry.id], _("A service no longer listed"), None),
        )
        for entry in entries
    ]
    return InboxPage(rows, total, page, pages)


def new_count(organisation_id: uuid.UUID) -> int:
    """How many referrals nobody at the organisation has opened yet (the header's count)."""
    key = db.session.get(OrganisationKey, organisation_id)
    if key is None:
        return 0
    return (
        db.session.scalar(
            select(func.count()).select_from(InboxEntry).where(*_filters(key, NEW, None))
        )
        or 0
    )


# One referral -----------------------------------------------------------------------------------


class ShareEndedError(DomainError):
    """The person stopped sharing, or the share ran out: the organisation sees nothing more of
    their passport, whatever page it has open."""

    status = 410
    code = "share-ended"


def referral(organisation: staff.OrganisationView, entry_id: uuid.UUID) -> Referral:
    """The referral behind one of the organisation's entries; anyone else's is a 404."""
    entry = db.session.get(InboxEntry, entry_id)
    if entry is None or entry.organisation_id != organisation.id:
        raise NotFoundError(entry_id)
    found = db.session.get(
        Referral, uuid.UUID(vault.open(entry, "referral", entry.referral_sealed))
    )
    if found is None or found.grant is None or _organisation_of(found) != organisation.id:
        raise NotFoundError(entry_id)
    return found


def shared(referral: Referral) -> bool:
    """Whether the organisation may see the person's passport through this referral now."""
    return (
        lifecycle.is_shared(referral.status)
        and referral.grant is not None
        and sharing.in_force(referral.grant)
    )


def granted(referral: Referral, look_id: uuid.UUID) -> sharing.GrantedView:
    """What the person shares now, logged in their access log as seen by the organisation's
    staff; and the referral marked opened, the first time."""
    if not shared(referral):
        raise ShareEndedError(referral.id)
    view = sharing.staff_view(referral.grant, look_id)
    referrals.mark_opened(referral)
    return view


def to_move(referral: Referral, move: Move) -> Referral:
    """The referral, while the share is in force and the organisation may make this move.
    Moved on already (a colleague, a double click, the person withdrawing):
    StatusChangedError, whose handler says where it stands and shows what was typed."""
    if not shared(referral) and not lifecycle.is_final(referral.status):
        raise ShareEndedError(referral.id)
    if not lifecycle.can(move, referral.status):
        raise referrals.StatusChangedError(referral.id, move)
    return referral


def to_message(referral: Referral) -> Referral:
    if not shared(referral) and not lifecycle.is_final(referral.status):
        raise ShareEndedError(referral.id)
    if not referrals.can_message(referral.status):
        raise referrals.StatusChangedError(referral.id)
    return referral


# Telling the organisation -----------------------------------------------------------------------


@events.subscribe(events.ReferralMoved)
def _tell_organisation_of_a_withdrawal(moved: events.ReferralMoved) -> None:
    if moved.move == Move.WITHDRAW:
        _tell_organisation(db.session.get_one(Referral, moved.referral_id), "referral_withdrawn")


@events.subscribe(events.ReferralMessageSent)
def _tell_organisation_of_a_message(sent: events.ReferralMessageSent) -> None:
    if sent.sender == Actor.RESIDENT:
        referral = db.session.get_one(Referral, sent.referral_id)
        _tell_organisation(referral, "referral_message_to_organisation")


def _tell_organisation(referral: Referral, email: str) -> None:
    """E-mail the organisation's referral address that the person withdrew a referral or
    wrote on it: the service, and a link to the referral in its inbox (its staff sign in to
    see it), never who or what about. A service no longer listed has no address to write to."""
    try:
        service = referrals.listed_service(referral)
    except referrals.ServiceLeftDirectoryError:
        return
    entry = _entry_of(referral)  # a referral sent before the inbox was built has none
    notify.email(
        email,
        service.organisation.referral_email,
        language=service.organisation.language,
        service=service.name,
        org_slug=service.organisation.slug,
        entry_id=entry.id if entry is not None else None,
    )

"""Organisations keep their listings current (issue 10, ADR 0028).

An organisation's admin changes capacity at once, says a listing is still correct, and
proposes new words (description, who it is for, opening hours, the address referrals go
to), which wait for a directory admin: one pending change a service, amended in place.
Approving writes the words into the listing's HSDS document and its projected columns in
one compare-and-set on the state the directory admin saw, and refreshes the search index;
a listing that changed after the proposal (an import, another approval) is shown to the
directory admin as a conflict, never overwritten unseen.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from passport import clock
from passport.database import db
from passport.directory import hsds, listing
from passport.directory import search_index as search
from passport.directory.models import Capacity, OpeningTime, Organisation, Service
from passport.errors import DomainError, NotFoundError
from passport.listings.models import ChangeStatus, EventKind, ListingChange, ListingEvent
from passport.staff import service as staff
from passport.staff.models import StaffAccount

# The words an organisation may propose, in the order pages show them.
FIELDS = ("description", "eligibility", "opening_hours", "referral_email")
# A decision stays on the organisation's page this long (or until the next proposal).
DECISION_SHOWN = timedelta(days=30)
# HSDS 3.1's service_capacity names a unit; ours is always referrals.
CAPACITY_UNIT = {"id": "3c1f1d0e-6a5b-5f5e-9d2a-2b7c0a9e4f61", "name": "referrals"}
CAPACITY_WORDS = {
    Capacity.ACCEPTING: "Accepting referrals",
    Capacity.WAITING_LIST: "Waiting list",
    Capacity.NOT_ACCEPTING: "Not accepting referrals now",
}
WAIT_WEEKS_MAX = 104
# Below this share of words in common, a text is shown as rewritten, not word by word.
REWRITTEN = 0.5


class ChangeDecidedError(DomainError):
    """The change was approved, rejected or withdrawn already (a colleague, a second click)."""

    status = 409
    code = "change-decided"
    message = "That change has been decided already."

    def __init__(self, change_id: uuid.UUID) -> None:
        super().__init__(change_id)
        self.change_id = change_id


class ListingChangedError(DomainError):
    """The listing is not as the directory admin saw it when they approved."""

    status = 409
    code = "listing-changed"
    message = "The listing has changed since you looked at it."

    def __init__(self, change_id: uuid.UUID) -> None:
        super().__init__(change_id)
        self.change_id = change_id


# Reading --------------------------------------------------------------------------------------


def values_of(service: Service) -> dict[str, str]:
    """The listing's words as an organisation may change them."""
    return {
        "description": service.description,
        "eligibility": service.eligibility,
        "opening_hours": service.opening_hours,
        "referral_email": service.organisation.referral_email,
    }


def state_of(service: Service) -> str:
    """What an approval is checked against: the listing's version and the organisation's
    referral address (which belongs to the organisation, not the service)."""
    address = hashlib.sha256(service.organisation.referral_email.encode()).hexdigest()[:16]
    return f"{service.listing_version}:{address}"


@dataclass(frozen=True)
class ChangeView:
    id: uuid.UUID
    status: ChangeStatus
    old: dict[str, str]
    new: dict[str, str]
    base_state: str
    proposed_by: str
    proposed_at: datetime
    decided_at: datetime | None
    reason: str | None

    @property
    def changed_fields(self) -> list[str]:
        return [field for field in FIELDS if self.old.get(field, "") != self.new.get(field, "")]


def _email(account_id: uuid.UUID | None) -> str:
    """A member of staff's address ("" once their account is gone)."""
    account = db.session.get(StaffAccount, account_id) if account_id is not None else None
    return staff.email_of(account) if account is not None else ""


def _view(change: ListingChange) -> ChangeView:
    return ChangeView(
        id=change.id,
        status=ChangeStatus(change.status),
        old=dict(change.old),
        new=dict(change.new),
        base_state=change.base_state,
        proposed_by=_email(change.proposed_by),
        proposed_at=change.proposed_at,
        decided_at=change.decided_at,
        reason=change.reason,
    )


def _pending(service_id: uuid.UUID) -> ListingChange | None:
    return db.session.scalar(
        select(ListingChange).where(
            ListingChange.service_id == service_id,
            ListingChange.status == ChangeStatus.PENDING.value,
        )
    )


def pending_change(service: Service) -> ChangeView | None:
    found = _pending(service.id)
    return _view(found) if found is not None else None


def service_of(organisation: staff.OrganisationView, slug: str) -> Service:
    """The organisation's own service by its slug; anyone else's, or none, is a 404."""
    found = db.session.scalar(
        select(Service)
        .where(Service.slug == slug, Service.organisation_id == organisation.id)
        .options(joinedload(Service.organisation))
    )
    if found is None:
        raise NotFoundError("services")
    return found


@dataclass(frozen=True)
class Checked:
    on: date
    by: str  # the member of staff's address ("" if they have left)


@dataclass(frozen=True)
class ListingSummary:
    service: Service
    checked: Checked | None
    stale: bool
    pending: ChangeView | None
    decision: ChangeView | None  # approved or rejected lately, with nothing pending since


def _last_checked(service: Service) -> Checked | None:
    if service.checked_on is None:
        return None
    account_id = db.session.scalar(
        select(ListingEvent.account_id)
        .where(ListingEvent.service_id == service.id, ListingEvent.kind == EventKind.CHECKED)
        .order_by(ListingEvent.at.desc())
        .limit(1)
    )
    return Checked(service.checked_on, _email(account_id))


def _last_decision(service: Service) -> ChangeView | None:
    found = db.session.scalar(
        select(ListingChange)
        .where(
            ListingChange.service_id == service.id,
            ListingChange.status.in_([ChangeStatus.APPROVED.value, ChangeStatus.REJECTED.value]),
            ListingChange.decided_at >= clock.now() - DECISION_SHOWN,
        )
        .order_by(ListingChange.decided_at.desc())
        .limit(1)
    )
    return _view(found) if found is not None else None


def summary(service: Service) -> ListingSummary:
    pending = pending_change(service)
    return ListingSummary(
        service=service,
        checked=_last_checked(service),
        stale=listing.is_stale(service),
        pending=pending,
        decision=None if pending is not None else _last_decision(service),
    )


def listings_of(organisation: staff.OrganisationView) -> list[ListingSummary]:
    """The organisation's services by name, each with when it was checked and its changes."""
    services = db.session.scalars(
        select(Service)
        .where(Service.organisation_id == organisation.id)
        .options(joinedload(Service.organisation))
        .order_by(Service.name, Service.slug)
    )
    return [summary(service) for service in services]


# The organisation's admin ---------------------------------------------------------------------


def _event(service: Service, kind: EventKind, by: uuid.UUID, detail: Any = None) -> None:
    db.session.add(
        ListingEvent(
            service_id=service.id, kind=kind.value, account_id=by, at=clock.now(), detail=detail
        )
    )


def _locked(service_id: uuid.UUID) -> Service:
    """The service's row, held until commit (PostgreSQL): its document is read, changed and
    written back, and two writers must not each write their own copy."""
    found = db.session.scalar(
        select(Service)
        .where(Service.id == service_id)
        .with_for_update(of=Service)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFoundError("services")
    return found


def propose(service: Service, values: dict[str, str], by: uuid.UUID) -> ChangeView | None:
    """Propose new words for the listing, or amend the pending proposal (one a service).
    Nothing is applied. None: the words are the listing's own (nothing to approve)."""
    current = values_of(service)
    new = {field: values.get(field, current[field]) for field in FIELDS}
    now = clock.now()
    pending = _pending(service.id)
    if new == current:
        return None
    if pending is not None:
        # The original `old` and state stay: the change is still made from that listing.
        pending.new, pending.proposed_by, pending.proposed_at = new, by, now
        db.session.flush()
        return _view(pending)
    change = ListingChange(
        service_id=service.id,
        status=ChangeStatus.PENDING.value,
        old=current,
        new=new,
        base_state=state_of(service),
        proposed_by=by,
        proposed_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(change)
    except IntegrityError:
        # A colleague proposed at the same moment: theirs is amended with these words.
        pending = _pending(service.id)
        if pending is None:
            raise
        pending.new, pending.proposed_by, pending.proposed_at = new, by, now
        db.session.flush()
        return _view(pending)
    return _view(change)


def withdraw(service: Service, by: uuid.UUID) -> bool:
    """Withdraw the service's pending change (`by`: who withdrew it); False if there was
    none (decided meanwhile)."""
    withdrawn = db.session.execute(  # type: ignore[attr-defined]
        update(ListingChange)
        .where(
            ListingChange.service_id == service.id,
            ListingChange.status == ChangeStatus.PENDING.value,
        )
        .values(status=ChangeStatus.WITHDRAWN.value, decided_by=by, decided_at=clock.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(withdrawn == 1)


def _touch(document: dict[str, Any], now: datetime) -> None:
    document["last_modified"] = now.isoformat()


def capacity_document(
    document: dict[str, Any], capacity: Capacity, weeks: int | None, now: datetime
) -> dict[str, Any]:
    """The HSDS document saying this capacity, in HSDS 3.1's `capacities` (beside 3.0's
    `wait_time`), so that the projection (hsds._capacity) reads back the same."""
    changed = dict(document)
    changed["capacities"] = [
        {
            "id": str(uuid.uuid4()),
            "unit": dict(CAPACITY_UNIT),
            "available": 1 if capacity is Capacity.ACCEPTING else 0,
            "description": CAPACITY_WORDS[capacity],
            "updated": now.isoformat(),
        }
    ]
    if capacity is Capacity.WAITING_LIST and weeks:
        changed["wait_time"] = f"{weeks} weeks"
    else:
        changed.pop("wait_time", None)
    return changed


def set_capacity(service: Service, capacity: Capacity, weeks: int | None, by: uuid.UUID) -> bool:
    """Apply at once (no approval: capacity changes by the week), with an audit row saying
    who changed it from what to what. False: it already said that."""
    row = _locked(service.id)
    weeks = weeks if capacity is Capacity.WAITING_LIST else None
    before = {"capacity": row.capacity, "wait_weeks": row.wait_weeks}
    after = {"capacity": capacity.value, "wait_weeks": weeks}
    if before == after:
        return False
    now = clock.now()
    document = capacity_document(row.document or {}, capacity, weeks, now)
    _touch(document, now)
    row.document = document
    row.capacity, row.wait_weeks, row.modified_at = capacity.value, weeks, now
    _event(row, EventKind.CAPACITY, by, {"from": before, "to": after})
    return True


def mark_checked(service: Service, by: uuid.UUID) -> date:
    """The organisation says the listing is still correct: reviewed today (HSDS
    assured_date), so its freshness warning goes and it can be referred to again."""
    row = _locked(service.id)
    now = clock.now()
    today = listing.today()
    document = dict(row.document or {})
    document["assured_date"] = today.isoformat()
    _touch(document, now)
    row.document = document
    row.reviewed_on = row.checked_on = today
    row.modified_at = now
    _event(row, EventKind.CHECKED, by)
    return today


# The directory admin --------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingListing:
    change: ChangeView
    service_name: str
    organisation_name: str
    conflict: bool


def pending_changes() -> list[PendingListing]:
    """Every change waiting for approval, oldest first."""
    rows = db.session.execute(
        select(ListingChange, Service)
        .join(Service, Service.id == ListingChange.service_id)
        .where(ListingChange.status == ChangeStatus.PENDING.value)
        .options(joinedload(Service.organisation))
        .order_by(ListingChange.proposed_at, ListingChange.id)
    )
    return [
        PendingListing(
            _view(change),
            service.name,
            service.organisation.name,
            change.base_state != state_of(service),
        )
        for change, service in rows
    ]


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "removed" or "added"
    text: str


@dataclass(frozen=True)
class FieldChange:
    field: str
    then: str  # when it was proposed
    now: str  # in the listing now
    proposed: str
    now_marked: list[Segment]  # the listing's words, with those the change removes marked
    proposed_marked: list[Segment]  # the proposal, with the words it adds marked

    @property
    def changed_since(self) -> bool:
        return self.then != self.now


@dataclass(frozen=True)
class Review:
    change: ChangeView
    service: Service
    fields: list[FieldChange]
    state: str  # the listing's state now: what the approve form carries
    conflict: bool  # the listing changed after the proposal was made


# Words with the spaces after them: a run of changed words is one mark, spaces and all.
_TOKENS = re.compile(r"^\s+|\S+\s*")


def word_diff(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Both texts cut into runs of words: in the old one the runs the new one drops are
    "removed", in the new one the runs it adds are "added"; the rest are "same"."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < REWRITTEN:
        # Rewritten: a few common words ("and", "the") kept would chop both texts into
        # pieces that are harder to read than the two texts whole.
        return (
            [Segment("removed", old)] if old else [],
            [Segment("added", new)] if new else [],
        )
    before: list[Segment] = []
    after: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            before.append(Segment("same", "".join(a[i1:i2])))
            after.append(Segment("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            before.append(Segment("removed", "".join(a[i1:i2])))
        if j2 > j1:
            after.append(Segment("added", "".join(b[j1:j2])))
    return before, after


def _field_changes(
    old: dict[str, str], now: dict[str, str], new: dict[str, str]
) -> list[FieldChange]:
    """The fields a change sets, each with the words it removes from the listing as it is
    `now` and the words it adds."""
    fields = []
    for field in FIELDS:
        then, proposed = old.get(field, ""), new.get(field, "")
        if then == proposed:
            continue  # not part of this change
        now_marked, proposed_marked = word_diff(now[field], proposed)
        fields.append(FieldChange(field, then, now[field], proposed, now_marked, proposed_marked))
    return fields


def proposed_fields(change: ChangeView) -> list[FieldChange]:
    """What the organisation proposed, against the listing as it was when they did."""
    return _field_changes(change.old, change.old, change.new)


def has_weekly_times(service: Service) -> bool:
    """Whether the listing shows opening times by day (from its schedules)."""
    return (
        db.session.scalar(
            select(OpeningTime.id).where(OpeningTime.service_id == service.id).limit(1)
        )
        is not None
    )


def review(change_id: uuid.UUID) -> Review:
    change = db.session.get(ListingChange, change_id)
    if change is None:
        raise NotFoundError("listing_changes")
    service = db.session.scalar(
        select(Service)
        .where(Service.id == change.service_id)
        .options(joinedload(Service.organisation))
    )
    assert service is not None  # the change goes with its service (ON DELETE CASCADE)
    fields = _field_changes(change.old, values_of(service), change.new)
    state = state_of(service)
    return Review(_view(change), service, fields, state, change.base_state != state)


def _decide(change_id: uuid.UUID, status: ChangeStatus, by: uuid.UUID, reason: str | None) -> None:
    """Pending to decided, once: of two directory admins at once, one wins."""
    decided = db.session.execute(  # type: ignore[attr-defined]
        update(ListingChange)
        .where(ListingChange.id == change_id, ListingChange.status == ChangeStatus.PENDING.value)
        .values(status=status.value, decided_by=by, decided_at=clock.now(), reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if decided != 1:
        raise ChangeDecidedError(change_id)


def _schedules_replaced(document: dict[str, Any], words: str) -> dict[str, Any]:
    """The organisation's words for its opening hours replace the schedules (the service's
    and its places'): weekly times kept beside them would say something else."""
    changed = dict(document)
    changed["schedules"] = [{"id": str(uuid.uuid4()), "description": words}] if words else []
    links = []
    for link in changed.get("service_at_locations") or []:
        if isinstance(link, dict) and "schedules" in link:
            link = {key: value for key, value in link.items() if key != "schedules"}
        links.append(link)
    if "service_at_locations" in changed:
        changed["service_at_locations"] = links
    return changed


def approve(change_id: uuid.UUID, seen: str, by: uuid.UUID) -> Service:
    """Apply the change, if the listing is still as the directory admin saw it (`seen`, the
    state their page showed): its words into the HSDS document and the projected columns,
    the version moved on, the search index refreshed, who approved recorded."""
    change = db.session.get(ListingChange, change_id)
    if change is None:
        raise NotFoundError("listing_changes")
    service = _locked(change.service_id)
    organisation = db.session.scalar(
        select(Organisation)
        .where(Organisation.id == service.organisation_id)
        .with_for_update(of=Organisation)
        .execution_options(populate_existing=True)
    )
    assert organisation is not None
    if change.status != ChangeStatus.PENDING.value:
        raise ChangeDecidedError(change_id)
    if state_of(service) != seen:
        raise ListingChangedError(change_id)
    _decide(change_id, ChangeStatus.APPROVED, by, None)
    new = {field: str(change.new.get(field, "")) for field in FIELDS}
    now = clock.now()
    today = listing.today()
    document = dict(service.document or {})
    document["description"] = new["description"]
    if new["eligibility"]:
        document["eligibility_description"] = new["eligibility"]
    else:
        document.pop("eligibility_description", None)
    if new["opening_hours"] != service.opening_hours:
        document = _schedules_replaced(document, new["opening_hours"])
        db.session.execute(delete(OpeningTime).where(OpeningTime.service_id == service.id))
    document["assured_date"] = today.isoformat()
    _touch(document, now)
    written = db.session.execute(  # type: ignore[attr-defined]
        update(Service)
        .where(Service.id == service.id, Service.listing_version == service.listing_version)
        .values(
            description=new["description"],
            eligibility=new["eligibility"],
            opening_hours=hsds._one_line(new["opening_hours"], 300),
            document=document,
            listing_version=Service.listing_version + 1,
            modified_at=now,
            reviewed_on=today,
            checked_on=today,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if written != 1:
        raise ListingChangedError(change_id)
    if new["referral_email"] != organisation.referral_email:
        organisation.referral_email = new["referral_email"]
    _event(service, EventKind.APPROVED, by, {"change": str(change_id)})
    db.session.flush()
    search.index_services([service.id])
    db.session.refresh(service)
    return service


def reject(change_id: uuid.UUID, reason: str, by: uuid.UUID) -> None:
    """Refuse the change with a reason the organisation's admin reads; nothing is applied."""
    change = db.session.get(ListingChange, change_id)
    if change is None:
        raise NotFoundError("listing_changes")
    _decide(change_id, ChangeStatus.REJECTED, by, reason)
    service = db.session.get(Service, change.service_id)
    assert service is not None
    _event(service, EventKind.REJECTED, by, {"change": str(change_id)})

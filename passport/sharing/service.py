"""Share grants, share links, one-time codes, and the access log.

An organisation reads a passport only through `granted_view`, which returns the granted
sections and nothing else, and logs the access for the resident to see.
"""

from __future__ import annotations

import enum
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from flask import current_app
from flask_babel import gettext, ngettext
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from passport import clock, crypto, events, taxonomy, vault
from passport.database import db, owned_or_404
from passport.directory.models import CONTENT_LANGUAGE, Organisation
from passport.errors import DomainError, NotFoundError
from passport.needs import service as needs
from passport.sharing.models import (
    AccessCode,
    AccessEvent,
    AuditChain,
    ConsentReceipt,
    ShareGrant,
    ShareLink,
)

if TYPE_CHECKING:
    from passport.needs.models import Passport

CODE_LIFETIME = timedelta(minutes=15)
CODE_ATTEMPTS = 5
LINK_FAILED_CODES = 20
ACCESS_LIFETIME = timedelta(hours=2)
# How long a share may last: chosen when referring, and again when changing it.
SHARE_PERIODS = (30, 90, 180)
DEFAULT_SHARE_DAYS = 90


def share_period(days: int) -> str:
    """How long a share lasts, said one way everywhere: the form, the check page, e-mails."""
    if days % 30 == 0:
        return ngettext("%(num)s month", "%(num)s months", days // 30)
    return ngettext("%(num)s day", "%(num)s days", days)


class LinkState(enum.Enum):
    OK = "ok"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    LOCKED = "locked"


class CodeResult(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    USED = "used"
    NONE = "none"
    # This wrong code was the one that locked the whole link for good (once per link).
    LINK_LOCKED = "link-locked"


@dataclass(frozen=True)
class GrantView:
    id: uuid.UUID
    organisation: str
    sections: list[str]
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class GrantedView:
    """What an organisation sees: only the granted sections of one passport."""

    grant: ShareGrant
    sections: list[str]
    content: dict[str, object]


@dataclass(frozen=True)
class Purpose:
    """Why a grant was made, as the resident agreed it: the referral and the service it was
    for (kept with the grant, sealed, so it still reads if the service leaves)."""

    service: str
    referral_id: uuid.UUID | None = None

    @property
    def content_language(self) -> str:
        return CONTENT_LANGUAGE  # the service's name is the directory's text


def create_grant(
    passport: Passport,
    organisation: Organisation,
    sections: list[str],
    days: int,
    *,
    created_by: str = "resident",
    purpose: Purpose | None = None,
) -> ShareGrant:
    now = clock.now()
    grant = ShareGrant(
        passport=passport,
        created_by=created_by,
        created_at=now,
        expires_at=now + timedelta(days=days),
        version=1,
    )
    grant.organisation_sealed = vault.seal(grant, "organisation", str(organisation.id))
    grant.sections_sealed = vault.seal_sections(grant, sections)
    if purpose is not None:
        grant.purpose_sealed = vault.seal(
            grant,
            "purpose",
            json.dumps(
                {
                    "service": purpose.service,
                    "referral": str(purpose.referral_id) if purpose.referral_id else None,
                }
            ),
        )
    db.session.add(grant)
    _grant_changed(grant, "made")
    _receipt(grant, Change.MADE, by=created_by, organisation=organisation)
    return grant


def _grant_changed(grant: ShareGrant, change: Literal["made", "ended"]) -> None:
    events.record(
        events.GrantChanged(
            at=clock.now(), grant_id=grant.id, passport_id=grant.passport_id, change=change
        )
    )


def organisation_of(grant: ShareGrant) -> Organisation:
    """The organisation a grant names (sealed: which one can say what someone needs)."""
    organisation_id = vault.open(grant, "organisation", grant.organisation_sealed)
    organisation = db.session.get(Organisation, uuid.UUID(organisation_id))
    if organisation is None:
        raise NotFoundError(grant.id)
    return organisation


def link_organisation(link: ShareLink) -> Organisation:
    return organisation_of(link.grant)


def grant_sections(grant: ShareGrant) -> list[str]:
    return vault.open_sections(grant, grant.sections_sealed)


def new_link(grant: ShareGrant) -> str:
    """A fresh link for the organisation. Returns the token; only its hash is kept."""
    token = crypto.new_token()
    db.session.add(
        ShareLink(
            grant_id=grant.id,
            token_hash=crypto.token_hash(token),
            created_at=clock.now(),
        )
    )
    return token


def find_link(token: str) -> tuple[LinkState, ShareLink | None]:
    link = db.session.scalar(
        select(ShareLink).where(ShareLink.token_hash == crypto.token_hash(token))
    )
    if link is None:
        return LinkState.UNKNOWN, None
    if link.grant.revoked_at is not None:
        return LinkState.REVOKED, link
    if link.grant.expires_at <= clock.now():
        return LinkState.EXPIRED, link
    if link.failed_codes >= LINK_FAILED_CODES:
        return LinkState.LOCKED, link
    return LinkState.OK, link


def _code_hash(link: ShareLink, code: str) -> str:
    # Keyed, so six digits cannot be brute-forced from a copy of the database alone.
    return vault.blind_index(f"access-code:{link.id}", code.strip())


def issue_code(link: ShareLink) -> str:
    """A new one-time code; any earlier unused code for this link stops working."""
    now = clock.now()
    for old in _open_codes(link):
        old.used_at = now
    code = crypto.new_code()
    db.session.add(
        AccessCode(
            link_id=link.id,
            code_hash=_code_hash(link, code),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    )
    return code


def _open_codes(link: ShareLink) -> list[AccessCode]:
    return list(
        db.session.scalars(
            select(AccessCode).where(AccessCode.link_id == link.id, AccessCode.used_at.is_(None))
        )
    )


def latest_code(link: ShareLink) -> AccessCode | None:
    # The one code still open (issue_code closes the others) comes first: creation times
    # alone can tie, and a replaced code would then shadow the new one.
    return db.session.scalar(
        select(AccessCode)
        .where(AccessCode.link_id == link.id)
        .order_by(AccessCode.used_at.is_(None).desc(), AccessCode.created_at.desc())
        .limit(1)
    )


def check_code(link: ShareLink, candidate: str) -> tuple[CodeResult, int]:
    """Check a code; returns the result and how many attempts are left.

    Each try is counted by one conditional UPDATE, so tries sent in parallel cannot
    get past the limit between reading the count and writing it back.
    """
    code = latest_code(link)
    if code is None:
        return CodeResult.NONE, 0
    if code.attempts >= CODE_ATTEMPTS:
        return CodeResult.LOCKED, 0
    if code.used_at is not None:
        return CodeResult.USED, 0
    if code.expires_at <= clock.now():
        return CodeResult.EXPIRED, 0
    attempts = db.session.execute(
        update(AccessCode)
        .where(
            AccessCode.id == code.id,
            AccessCode.attempts < CODE_ATTEMPTS,
            AccessCode.used_at.is_(None),
        )
        .values(attempts=AccessCode.attempts + 1)
        .returning(AccessCode.attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.expire(code)
    if attempts is None:
        return CodeResult.LOCKED, 0
    left = CODE_ATTEMPTS - attempts
    if crypto.codes_match(_code_hash(link, candidate), code.code_hash):
        code.used_at = clock.now()
        return CodeResult.OK, left
    # Conditional too: of wrong codes sent in parallel, exactly one sees the count reach
    # the limit, so the resident is told once that the link was locked.
    failed = db.session.execute(
        update(ShareLink)
        .where(ShareLink.id == link.id, ShareLink.failed_codes < LINK_FAILED_CODES)
        .values(failed_codes=ShareLink.failed_codes + 1)
        .returning(ShareLink.failed_codes)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.expire(link)
    if failed == LINK_FAILED_CODES:
        events.record(events.LinkLocked(at=clock.now(), grant_id=link.grant_id, link_id=link.id))
        return CodeResult.LINK_LOCKED, 0
    return (CodeResult.LOCKED if left == 0 else CodeResult.WRONG), left


def granted_view(link: ShareLink, look_id: uuid.UUID) -> GrantedView:
    """The granted sections of the passport behind a link, logged as part of a look: the
    visit's (organisations.access keeps which look a browser's visit is)."""
    return _granted(link.grant, look_id, link_id=link.id)


def in_force(grant: ShareGrant) -> bool:
    """Whether the share still lets its organisation see the passport (read afresh on every
    request: a change by the resident works at the organisation's very next one)."""
    return grant.revoked_at is None and grant.expires_at > clock.now()


def staff_view(grant: ShareGrant, look_id: uuid.UUID) -> GrantedView:
    """The granted sections, for signed-in staff of the grant's organisation (its inbox),
    logged like a link's visit; the resident reads "a member of staff at" the organisation.
    The caller has checked the grant is in force and names that organisation."""
    return _granted(grant, look_id, link_id=None)


def _granted(grant: ShareGrant, look_id: uuid.UUID, *, link_id: uuid.UUID | None) -> GrantedView:
    passport = grant.passport
    sections = [s for s in grant_sections(grant) if s in needs.available_sections(passport)]
    events.record(
        events.RecordViewed(
            at=clock.now(),
            passport_id=passport.id,
            grant_id=grant.id,
            link_id=link_id,
            look_id=look_id,
            sections=tuple(sections),
            by_staff=link_id is None,
        )
    )
    return GrantedView(
        grant=grant,
        sections=sections,
        content=needs.section_content(passport, sections),
    )


@events.subscribe(events.RecordViewed)
def _log_visit(viewed: events.RecordViewed) -> None:
    """The access log the resident sees: one look per visit (a right code, then pages until
    it runs out), however often the organisation comes back to the link during it: after
    accepting, say. Entries are never changed (the audit trail, ADR 0031): a look during the
    visit that shows a section the visit had not shown yet adds an entry naming only those."""
    grant = db.session.get_one(ShareGrant, viewed.grant_id)  # the grant just shown: no query
    first = db.session.get(AccessEvent, viewed.look_id)
    look_id = viewed.look_id
    if first is None or first.grant_id != grant.id or first.by_staff != viewed.by_staff:
        # The visit's first look is made with the id the visit chose for it (another grant's
        # id cannot come from our own sealed cookie: that look is then logged on its own).
        shown = list(viewed.sections)
        entry_id = look_id = viewed.look_id if first is None else uuid.uuid4()
    else:
        seen = {
            section
            for event in db.session.scalars(
                select(AccessEvent).where(
                    AccessEvent.passport_id == grant.passport_id,
                    AccessEvent.look_id == look_id,
                )
            )
            for section in vault.open_sections(event, event.sections_sealed)
        }
        shown = [section for section in viewed.sections if section not in seen]
        if not shown:
            return
        entry_id = uuid.uuid4()
    event = AccessEvent(
        id=entry_id,
        look_id=look_id,
        passport=grant.passport,
        grant_id=grant.id,
        at=viewed.at,
        by_staff=viewed.by_staff,
    )
    event.sections_sealed = vault.seal_sections(event, shown)
    _append(event)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _entry_bytes(event: AccessEvent) -> bytes:
    """The entry as its chain hashes it (crypto.audit_entry_bytes)."""
    return crypto.audit_entry_bytes(
        passport_id=event.passport_id.bytes,
        seq=event.seq,
        entry_id=event.id.bytes,
        look_id=event.look_id.bytes,
        grant_id=event.grant_id.bytes,
        by_staff=event.by_staff,
        at_microseconds=(event.at - EPOCH) // timedelta(microseconds=1),
        sealed=event.sections_sealed,
    )


def _append(event: AccessEvent) -> None:
    """Add the entry at the end of its passport's chain. The head's row is moved on by one
    UPDATE first: PostgreSQL holds its lock until commit, so another append to the same
    chain waits and then reads the head we left; SQLite writes one transaction at a time,
    and this is its first write here. The unique (passport, seq) keeps any fork out."""
    passport_id = event.passport.id
    event.passport_id = passport_id
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    with db.session.no_autoflush:
        db.session.execute(
            dialect.insert(AuditChain)
            .values(passport_id=passport_id, length=0, head=crypto.CHAIN_START)
            .on_conflict_do_nothing(index_elements=["passport_id"])
        )
        length, head = db.session.execute(
            update(AuditChain)
            .where(AuditChain.passport_id == passport_id)
            .values(length=AuditChain.length + 1)
            .returning(AuditChain.length, AuditChain.head)
            .execution_options(synchronize_session=False)
        ).one()
        event.seq = length
        event.chain_hash = crypto.chain_link(head, _entry_bytes(event))
        db.session.execute(
            update(AuditChain)
            .where(AuditChain.passport_id == passport_id)
            .values(head=event.chain_hash)
            .execution_options(synchronize_session=False)
        )
    db.session.add(event)


@dataclass(frozen=True)
class BrokenLink:
    """The first entry of a chain that does not hold: the passport's id (a random reference,
    not personal data) and the entry's place in its chain."""

    passport_id: uuid.UUID
    seq: int
    problem: str

    def line(self) -> str:
        return f"Passport {self.passport_id}: entry {self.seq} {self.problem}."


@dataclass(frozen=True)
class ChainsChecked:
    chains: int
    entries: int
    broken: list[BrokenLink]


def verify_chains() -> ChainsChecked:
    """Walk every passport's chain (read only, nothing opened): each entry must be the next
    in its chain and hash to what is stored, and the last must be the head."""
    heads = {chain.passport_id: chain for chain in db.session.scalars(select(AuditChain)).all()}
    chains = entries = 0
    broken: list[BrokenLink] = []
    passports = set(heads) | set(db.session.scalars(select(AccessEvent.passport_id).distinct()))
    for passport_id in sorted(passports):
        chains += 1
        found = _first_broken(passport_id, heads.get(passport_id))
        entries += found[0]
        if found[1] is not None:
            broken.append(found[1])
    return ChainsChecked(chains, entries, broken)


CHANGED = "was changed, or does not follow the one before"


def _first_broken(passport_id: uuid.UUID, head: AuditChain | None) -> tuple[int, BrokenLink | None]:
    rows = db.session.execute(
        select(AccessEvent)
        .where(AccessEvent.passport_id == passport_id)
        .order_by(AccessEvent.seq)
        .execution_options(populate_existing=True)
    ).scalars()
    previous, count = crypto.CHAIN_START, 0
    problem: BrokenLink | None = None
    for expected, event in enumerate(rows, start=1):
        count += 1
        if problem is not None:
            continue
        if event.seq != expected:
            problem = BrokenLink(passport_id, expected, "is missing, or out of its place")
        elif event.chain_hash != crypto.chain_link(previous, _entry_bytes(event)):
            problem = BrokenLink(passport_id, expected, CHANGED)
        previous = event.chain_hash
    if problem is None:
        if head is None:
            problem = BrokenLink(passport_id, 1, "has no chain head")
        elif head.length != count:
            problem = BrokenLink(passport_id, count + 1, "is missing, or out of its place")
        elif head.head != previous:
            problem = BrokenLink(passport_id, count, "is not the chain's head")
    return count, problem


@dataclass(frozen=True)
class Look:
    """One visit, for the resident: who, which sections, when it began."""

    grant_id: uuid.UUID
    organisation: str
    sections: list[str]
    at: datetime


@dataclass(frozen=True)
class AccessPage:
    looks: list[Look]
    total: int
    page: int
    pages: int
    organisations: list[tuple[str, str]]  # (filter value, name), by name
    organisation: str | None  # the filter chosen, if any


def access_log(passport: Passport, limit: int | None = None) -> list[Look]:
    """Every time an organisation looked (the latest first), or the latest `limit`."""
    return _looks(passport, None, limit, 0)


def access_history(
    passport: Passport, *, organisation: str | None, page: int, per_page: int
) -> AccessPage:
    """One page of the looks, the latest first, of one organisation if `organisation` is the
    filter value of one that looked (else all), with the organisations to choose from. A
    filter value is a keyed hash under the passport's own key: the address names no
    organisation, and means nothing for another passport."""
    grants = db.session.scalars(
        select(ShareGrant).where(
            ShareGrant.passport_id == passport.id,
            ShareGrant.id.in_(
                select(AccessEvent.grant_id).where(AccessEvent.passport_id == passport.id)
            ),
        )
    ).all()
    named: dict[str, tuple[str, set[uuid.UUID]]] = {}
    for grant in grants:
        try:
            found = organisation_of(grant)
        except NotFoundError:
            continue  # left the directory: its looks are still listed under "all"
        value = vault.keyed_index(passport, "access-log-organisation", str(found.id))[:20]
        named.setdefault(value, (found.name, set()))[1].add(grant.id)
    chosen = organisation if organisation in named else None
    grant_ids = named[chosen][1] if chosen else None
    look_count = select(func.count(func.distinct(AccessEvent.look_id))).where(
        AccessEvent.passport_id == passport.id
    )
    if grant_ids is not None:
        look_count = look_count.where(AccessEvent.grant_id.in_(grant_ids))
    total = db.session.scalar(look_count) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    return AccessPage(
        looks=_looks(passport, grant_ids, per_page, (page - 1) * per_page),
        total=total,
        page=page,
        pages=pages,
        organisations=sorted(
            ((value, name) for value, (name, _) in named.items()), key=lambda o: o[1].lower()
        ),
        organisation=chosen,
    )


def _looks(
    passport: Passport, grant_ids: set[uuid.UUID] | None, limit: int | None, offset: int
) -> list[Look]:
    """Looks (a visit's entries together), the latest first."""
    began = func.min(AccessEvent.seq).label("began")
    query = (
        select(AccessEvent.look_id, began)
        .where(AccessEvent.passport_id == passport.id)
        .group_by(AccessEvent.look_id)
        .order_by(began.desc())
        .limit(limit)
        .offset(offset)
    )
    if grant_ids is not None:
        query = query.where(AccessEvent.grant_id.in_(grant_ids))
    look_ids = list(db.session.scalars(query))
    entries: dict[uuid.UUID, list[AccessEvent]] = {look_id: [] for look_id in look_ids}
    for event in db.session.scalars(
        select(AccessEvent)
        .where(AccessEvent.passport_id == passport.id, AccessEvent.look_id.in_(look_ids))
        .order_by(AccessEvent.seq)
    ):
        entries[event.look_id].append(event)
    looks = []
    for look_id in look_ids:
        first, sections = entries[look_id][0], []
        for event in entries[look_id]:
            sections += vault.open_sections(event, event.sections_sealed)
        looks.append(
            Look(
                grant_id=first.grant_id,
                organisation=_who_looked(first),
                sections=sorted(set(sections), key=taxonomy.SECTION_CODES.index),
                at=first.at,
            )
        )
    return looks


def _who_looked(event: AccessEvent) -> str:
    name = organisation_of(event.grant).name
    if event.by_staff:
        return gettext("A member of staff at %(organisation)s", organisation=name)
    return name


def active_grants(passport: Passport) -> list[GrantView]:
    note_expiries(passport)
    grants = db.session.scalars(
        select(ShareGrant)
        .where(
            ShareGrant.passport_id == passport.id,
            ShareGrant.revoked_at.is_(None),
            ShareGrant.expires_at > clock.now(),
        )
        .order_by(ShareGrant.created_at.desc())
    )
    return [
        GrantView(
            id=grant.id,
            organisation=organisation_of(grant).name,
            sections=grant_sections(grant),
            created_at=grant.created_at,
            expires_at=grant.expires_at,
        )
        for grant in grants
    ]


def ended_grant(passport: Passport, grant_id: uuid.UUID) -> GrantView | None:
    """The passport's share with this id if it has been stopped, else None."""
    grant = db.session.get(ShareGrant, grant_id)
    if grant is None or grant.passport_id != passport.id or grant.revoked_at is None:
        return None
    return GrantView(
        id=grant.id,
        organisation=organisation_of(grant).name,
        sections=grant_sections(grant),
        created_at=grant.created_at,
        expires_at=grant.expires_at,
    )


def needs_new_link(grant: ShareGrant) -> bool:
    """A live grant whose every link is locked by wrong codes: the organisation cannot open
    it until the resident sends a new link."""
    if grant.revoked_at is not None or grant.expires_at <= clock.now():
        return False
    return _usable_links(grant) == 0


def claim_new_link(grant: ShareGrant) -> bool:
    """Whether this request may make a new link for the grant, checked under a lock on it.

    The no-op UPDATE holds the grant's row (the database, on SQLite) until commit, so of
    two clicks at once the second sees the first one's link and sends none.
    """
    held = db.session.execute(  # type: ignore[attr-defined]
        update(ShareGrant)
        .where(
            ShareGrant.id == grant.id,
            ShareGrant.revoked_at.is_(None),
            ShareGrant.expires_at > clock.now(),
        )
        .values(revoked_at=ShareGrant.revoked_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    return held == 1 and _usable_links(grant) == 0


def _usable_links(grant: ShareGrant) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ShareLink)
            .where(ShareLink.grant_id == grant.id, ShareLink.failed_codes < LINK_FAILED_CODES)
        )
        or 0
    )


def revoke_grant(passport: Passport, grant_id: uuid.UUID, *, by: str = "resident") -> ShareGrant:
    """End a share: at once, for any page the organisation has open (each of its requests
    checks the grant). Nothing more once ended. `by`: the resident, or the organisation (its
    decline or completion ends the share: the receipt says 'revoked', not 'withdrawn')."""
    grant = owned_or_404(ShareGrant, grant_id, passport_id=passport.id)
    if grant.revoked_at is None and _step(grant, None):
        grant.revoked_at = clock.now()
        _grant_changed(grant, "ended")
        _receipt(grant, Change.WITHDRAWN if by == "resident" else Change.REVOKED, by=by)
    return grant


class GrantChangedError(DomainError):
    """The share is not as the resident's page showed it: changed or ended since (another
    tab, the organisation declining, its period running out)."""

    status = 409
    code = "share-changed"
    message = "The share has changed since the page was shown."


def _step(grant: ShareGrant, version: int | None) -> bool:
    """Move the grant's version on by one, in one conditional UPDATE: only if it is not
    ended and, given a version, still at that version and in force. Of two changes at once
    (a double submit, two tabs), one wins."""
    conditions = [ShareGrant.id == grant.id, ShareGrant.revoked_at.is_(None)]
    if version is not None:
        conditions += [ShareGrant.version == version, ShareGrant.expires_at > clock.now()]
    moved = db.session.execute(
        update(ShareGrant)
        .where(*conditions)
        .values(version=ShareGrant.version + 1)
        .returning(ShareGrant.version)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.expire(grant, ["version"])
    return moved is not None


def change_sections(
    passport: Passport, grant_id: uuid.UUID, version: int, sections: list[str]
) -> ShareGrant:
    """Share other parts of the passport with the same organisation: from its next request
    on, it sees these and only these."""
    if not sections:
        raise ValueError("A share shows at least one part: stop it to share nothing.")
    grant = owned_or_404(ShareGrant, grant_id, passport_id=passport.id)
    if not _step(grant, version):
        raise GrantChangedError(grant.id)
    grant.sections_sealed = vault.seal_sections(grant, sections)
    _receipt(grant, Change.SECTIONS)
    return grant


def change_period(passport: Passport, grant_id: uuid.UUID, version: int, days: int) -> ShareGrant:
    """Share for `days` from today (one of SHARE_PERIODS), instead of until the old date."""
    if days not in SHARE_PERIODS:
        raise ValueError(f"A share lasts one of {SHARE_PERIODS} days.")
    grant = owned_or_404(ShareGrant, grant_id, passport_id=passport.id)
    if not _step(grant, version):
        raise GrantChangedError(grant.id)
    grant.expires_at = clock.now() + timedelta(days=days)
    _receipt(grant, Change.PERIOD)
    return grant


# The resident's shares and their consent receipts ----------------------------------------


class Change(enum.StrEnum):
    """What a consent receipt records, and the consent's state it leaves (ISO/IEC TS 27560
    event states, as the W3C DPV names them)."""

    MADE = "made"
    SECTIONS = "sections"
    PERIOD = "period"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"
    EXPIRED = "expired"

    @property
    def state(self) -> str:
        return {
            Change.MADE: "given",
            Change.SECTIONS: "changed",
            Change.PERIOD: "changed",
            Change.WITHDRAWN: "withdrawn",
            Change.REVOKED: "revoked",
            Change.EXPIRED: "expired",
        }[self]


class ShareState(enum.StrEnum):
    IN_FORCE = "in-force"
    STOPPED = "stopped"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ReceiptSummary:
    id: uuid.UUID
    change: Change
    at: datetime


@dataclass(frozen=True)
class ShareView:
    """One share as its resident sees it: who, what, why, made by whom, until when."""

    id: uuid.UUID
    version: int
    organisation: str
    sections: list[str]
    purpose: Purpose | None
    made_by: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    state: ShareState
    receipts: list[ReceiptSummary] = field(default_factory=list)

    @property
    def in_force(self) -> bool:
        return self.state is ShareState.IN_FORCE

    @property
    def content_language(self) -> str:
        return CONTENT_LANGUAGE  # the organisation's name is the directory's text


@dataclass(frozen=True)
class ReceiptView:
    """One consent receipt: what was agreed at that moment, as it was sealed then."""

    id: uuid.UUID
    grant_id: uuid.UUID
    version: int
    change: Change
    at: datetime
    by: str
    organisation: str
    sections: list[str]
    purpose: Purpose | None
    made_at: datetime
    until: datetime
    subject: str
    controller_name: str
    controller_contact: str

    @property
    def state(self) -> str:
        return self.change.state

    @property
    def content_language(self) -> str:
        return CONTENT_LANGUAGE


def purpose_of(grant: ShareGrant) -> Purpose | None:
    if grant.purpose_sealed is None:
        return None
    return _purpose(json.loads(vault.open(grant, "purpose", grant.purpose_sealed)))


def _purpose(data: dict[str, Any] | None) -> Purpose | None:
    if not data:
        return None
    referral = data.get("referral")
    return Purpose(service=data["service"], referral_id=uuid.UUID(referral) if referral else None)


def _state(grant: ShareGrant) -> ShareState:
    if grant.revoked_at is not None:
        return ShareState.STOPPED
    if grant.expires_at <= clock.now():
        return ShareState.EXPIRED
    return ShareState.IN_FORCE


def shares(passport: Passport) -> list[ShareView]:
    """Every share of the passport, in force and ended, the latest first; a share seen to
    have run out gets its receipt now."""
    grants = list(
        db.session.scalars(
            select(ShareGrant)
            .where(ShareGrant.passport_id == passport.id)
            .order_by(ShareGrant.created_at.desc())
        )
    )
    note_expiries(passport, grants)
    receipts: dict[uuid.UUID, list[ReceiptSummary]] = {}
    for row in db.session.execute(
        select(ConsentReceipt.id, ConsentReceipt.grant_id, ConsentReceipt.change, ConsentReceipt.at)
        .where(ConsentReceipt.passport_id == passport.id)
        .order_by(ConsentReceipt.version)
    ):
        receipts.setdefault(row.grant_id, []).append(
            ReceiptSummary(id=row.id, change=Change(row.change), at=row.at)
        )
    return [_share_view(grant, receipts.get(grant.id, [])) for grant in grants]


def share(passport: Passport, grant_id: uuid.UUID) -> ShareView:
    """One of the passport's shares (404 for anyone else's, or none)."""
    grant = owned_or_404(ShareGrant, grant_id, passport_id=passport.id)
    note_expiries(passport, [grant])
    return _share_view(grant, [])


def _share_view(grant: ShareGrant, receipts: list[ReceiptSummary]) -> ShareView:
    state = _state(grant)
    return ShareView(
        id=grant.id,
        version=grant.version,
        organisation=organisation_of(grant).name,
        sections=grant_sections(grant),
        purpose=purpose_of(grant),
        made_by=grant.created_by,
        created_at=grant.created_at,
        expires_at=grant.expires_at,
        ended_at=grant.revoked_at
        if state is ShareState.STOPPED
        else (grant.expires_at if state is ShareState.EXPIRED else None),
        state=state,
        receipts=receipts,
    )


def note_expiries(passport: Passport, grants: list[ShareGrant] | None = None) -> None:
    """A receipt for each share that has run out and has none saying so yet. Made when the
    expiry is first seen (no job runs at the moment a share ends); of two requests seeing
    it at once, one makes it (the version's compare-and-set)."""
    now = clock.now()
    if grants is None:
        grants = list(
            db.session.scalars(
                select(ShareGrant).where(
                    ShareGrant.passport_id == passport.id,
                    ShareGrant.revoked_at.is_(None),
                    ShareGrant.expires_at <= now,
                )
            )
        )
    ended = [g for g in grants if g.revoked_at is None and g.expires_at <= now]
    if not ended:
        return
    noted = set(
        db.session.scalars(
            select(ConsentReceipt.grant_id).where(
                ConsentReceipt.grant_id.in_([g.id for g in ended]),
                ConsentReceipt.change == Change.EXPIRED.value,
            )
        )
    )
    for grant in ended:
        if grant.id not in noted and _step_expired(grant):
            _receipt(grant, Change.EXPIRED, by="system")


def _step_expired(grant: ShareGrant) -> bool:
    seen = grant.version
    moved = db.session.execute(
        update(ShareGrant)
        .where(
            ShareGrant.id == grant.id,
            ShareGrant.version == seen,
            ShareGrant.revoked_at.is_(None),
            ShareGrant.expires_at <= clock.now(),
        )
        .values(version=ShareGrant.version + 1)
        .returning(ShareGrant.version)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.expire(grant, ["version"])
    return moved is not None


def subject_id(passport: Passport) -> str:
    """The resident in a receipt: a keyed hash of the passport's id, the same on each of
    their receipts, which names no one (never the e-mail address) and leads to no row
    without the keys."""
    return "urn:needs-passport:subject:" + vault.blind_index("consent-subject", str(passport.id))


def _receipt(
    grant: ShareGrant,
    change: Change,
    *,
    by: str = "resident",
    organisation: Organisation | None = None,
) -> ConsentReceipt:
    """Seal what the grant says now, as this change leaves it, into a new receipt."""
    settings = current_app.config["SETTINGS"]
    organisation = organisation or organisation_of(grant)
    purpose = purpose_of(grant)
    now = clock.now()
    receipt = ConsentReceipt(
        passport=grant.passport,
        grant=grant,
        version=grant.version,
        change=change.value,
        at=now,
    )
    record = {
        "by": by,
        "organisation": {"id": str(organisation.id), "name": organisation.name},
        "sections": grant_sections(grant),
        "purpose": (
            {
                "service": purpose.service,
                "referral": str(purpose.referral_id) if purpose.referral_id else None,
            }
            if purpose
            else None
        ),
        "made_at": grant.created_at.isoformat(),
        "until": (grant.revoked_at or grant.expires_at).isoformat(),
        "subject": subject_id(grant.passport),
        "controller": {"name": settings.controller_name, "contact": settings.controller_contact},
    }
    receipt.record_sealed = vault.seal(receipt, "record", json.dumps(record, ensure_ascii=False))
    db.session.add(receipt)
    return receipt


def receipt(passport: Passport, receipt_id: uuid.UUID) -> ReceiptView:
    """One of the passport's receipts (404 for anyone else's, or none)."""
    row = owned_or_404(ConsentReceipt, receipt_id, passport_id=passport.id)
    record = json.loads(vault.open(row, "record", row.record_sealed))
    return ReceiptView(
        id=row.id,
        grant_id=row.grant_id,
        version=row.version,
        change=Change(row.change),
        at=row.at,
        by=record["by"],
        organisation=record["organisation"]["name"],
        sections=record["sections"],
        purpose=_purpose(record["purpose"]),
        made_at=datetime.fromisoformat(record["made_at"]),
        until=datetime.fromisoformat(record["until"]),
        subject=record["subject"],
        controller_name=record["controller"]["name"],
        controller_contact=record["controller"]["contact"],
    )


SCHEMA_VERSION = "ISO/IEC TS 27560:2023"
PROFILE = "needs-passport-consent-receipt/1"


def consent_record(
    receipt: ReceiptView, *, language: str, withdraw_url: str, receipt_url: str
) -> dict[str, object]:
    """The receipt as a machine-readable consent record, following the fields of ISO/IEC TS
    27560 as the W3C DPV guide lays them out (record, processing, parties, event): ADR 0024.
    The URLs come from the caller (a service builds none)."""
    sections = [
        {"pii_type": code, "pii_name": str(taxonomy.section_name(code))}
        for code in receipt.sections
        if _known_section(code)
    ]
    purpose = (
        f"To refer you to {receipt.purpose.service}"
        if receipt.purpose
        else "To refer you to a service you chose"
    )
    duration = max(0, int((receipt.until - receipt.made_at).total_seconds()))
    return {
        "schema_version": SCHEMA_VERSION,
        "profile": PROFILE,
        "record_id": str(receipt.grant_id),
        "receipt_id": str(receipt.id),
        "receipt_url": receipt_url,
        "record_version": receipt.version,
        "created": receipt.made_at.isoformat(),
        "updated": receipt.at.isoformat(),
        "pii_principal_id": receipt.subject,
        "language": language,
        "jurisdiction": "GB",
        "pii_controllers": [
            {
                "party_id": "controller",
                "party_name": receipt.controller_name,
                "party_contact": receipt.controller_contact,
                "party_role": "PII Controller",
            }
        ],
        "recipients": [
            {
                "party_id": "recipient",
                "party_name": receipt.organisation,
                "party_role": "Third Party",
            }
        ],
        "purposes": [
            {
                "purpose": purpose,
                "purpose_type": "ServiceProvision",
                "service": receipt.purpose.service if receipt.purpose else None,
                "referral_id": (
                    str(receipt.purpose.referral_id)
                    if receipt.purpose and receipt.purpose.referral_id
                    else None
                ),
                "lawful_basis": "consent",
                "pii_information": sections,
                "processing_method": ["disclose", "view"],
                "pii_controllers": ["controller"],
                "recipient_third_parties": ["recipient"],
                "valid_from": receipt.made_at.isoformat(),
                "valid_until": receipt.until.isoformat(),
                "withdrawal_method": withdraw_url,
            }
        ],
        "event": [
            {
                "event_time": receipt.at.isoformat(),
                "validity_duration_seconds": duration,
                "expiry": receipt.until.isoformat(),
                "entity_id": receipt.subject if receipt.by == "resident" else receipt.by,
                "by": receipt.by,
                "type": "explicit",
                "change": receipt.change.value,
                "state": receipt.state,
            }
        ],
    }


def section_names(sections: list[str]) -> list[str]:
    return [str(taxonomy.section_name(code)) for code in sections if _known_section(code)]


def _known_section(code: str) -> bool:
    return code == taxonomy.ABOUT_SECTION or taxonomy.is_category(code)


def passport_behind(link: ShareLink) -> Passport:
    return link.grant.passport


def masked_email(address: str) -> str:
    """'r********@example.org': enough to recognise, not enough to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}{'*' * max(len(local) - 1, 3)}@{domain}"

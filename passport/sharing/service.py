"""Share grants, share links, one-time codes, and the access log.

An organisation reads a passport only through `granted_view`, which returns the granted
sections and nothing else, and logs the access for the resident to see.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy import func, select, update

from passport import clock, crypto, events, taxonomy, vault
from passport.database import db, owned_or_404
from passport.directory.models import Organisation
from passport.errors import NotFoundError
from passport.needs import service as needs
from passport.sharing.models import AccessCode, AccessEvent, ShareGrant, ShareLink

if TYPE_CHECKING:
    from passport.needs.models import Passport

CODE_LIFETIME = timedelta(minutes=15)
CODE_ATTEMPTS = 5
LINK_FAILED_CODES = 20
ACCESS_LIFETIME = timedelta(hours=2)


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
class AccessView:
    grant_id: uuid.UUID
    organisation: str
    sections: list[str]
    at: datetime


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


def create_grant(
    passport: Passport,
    organisation: Organisation,
    sections: list[str],
    days: int,
    *,
    created_by: str = "resident",
) -> ShareGrant:
    now = clock.now()
    grant = ShareGrant(
        passport=passport,
        created_by=created_by,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    grant.organisation_sealed = vault.seal(grant, "organisation", str(organisation.id))
    grant.sections_sealed = vault.seal_sections(grant, sections)
    db.session.add(grant)
    _grant_changed(grant, "made")
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
    grant = link.grant
    passport = grant.passport
    sections = [s for s in grant_sections(grant) if s in needs.available_sections(passport)]
    events.record(
        events.RecordViewed(
            at=clock.now(),
            passport_id=passport.id,
            grant_id=grant.id,
            link_id=link.id,
            look_id=look_id,
            sections=tuple(sections),
        )
    )
    return GrantedView(
        grant=grant,
        sections=sections,
        content=needs.section_content(passport, sections),
    )


@events.subscribe(events.RecordViewed)
def _log_visit(viewed: events.RecordViewed) -> None:
    """The access log the resident sees: one access event per visit (a right code, then
    pages until it runs out), however often the organisation comes back to the link during
    it: after accepting, say."""
    link = db.session.get_one(ShareLink, viewed.link_id)  # the link just shown: no query
    event = db.session.get(AccessEvent, viewed.look_id)
    seen: list[str] = []
    if event is None or event.grant_id != link.grant_id:
        # The visit's first look is made with the id the visit chose for it (another grant's
        # id cannot come from our own sealed cookie: that look is then logged on its own).
        look_id = viewed.look_id if event is None else uuid.uuid4()
        event = AccessEvent(
            id=look_id, passport=link.grant.passport, grant_id=link.grant_id, at=viewed.at
        )
        db.session.add(event)
    else:
        seen = vault.open_sections(event, event.sections_sealed)
        if set(viewed.sections) <= set(seen):
            return
    # New, or a section added during the visit: the one look names all that it showed.
    shown = seen + [section for section in viewed.sections if section not in seen]
    event.sections_sealed = vault.seal_sections(event, shown)


def access_log(passport: Passport, limit: int | None = None) -> list[AccessView]:
    """Every time an organisation looked (the latest first), or the latest `limit`."""
    events = db.session.scalars(
        select(AccessEvent)
        .where(AccessEvent.passport_id == passport.id)
        .order_by(AccessEvent.at.desc())
        .limit(limit)
    )
    return [
        AccessView(
            grant_id=event.grant_id,
            organisation=organisation_of(event.grant).name,
            sections=vault.open_sections(event, event.sections_sealed),
            at=event.at,
        )
        for event in events
    ]


def active_grants(passport: Passport) -> list[GrantView]:
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


def revoke_grant(passport: Passport, grant_id: uuid.UUID) -> ShareGrant:
    grant = owned_or_404(ShareGrant, grant_id, passport_id=passport.id)
    if grant.revoked_at is None:
        grant.revoked_at = clock.now()
        _grant_changed(grant, "ended")
    return grant


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

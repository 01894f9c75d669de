from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport import vault
from passport.database import Base

if TYPE_CHECKING:
    from passport.needs.models import Passport


@vault.sealed_under("passport")
class ShareGrant(Base):
    """What one organisation may see of one passport, until when. Sections are sealed."""

    __tablename__ = "share_grants"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    # Sealed: which organisation someone shares with can say what they need.
    organisation_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    sections_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(20), default="resident")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # Sealed: why it was shared (the referral and its service), as the resident agreed it.
    # Empty for a grant made before consent receipts were kept.
    purpose_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Each change (sections, period, stopping, expiry noted) is one compare-and-set on this,
    # so a double submit or a page kept open cannot change a share twice or undo a newer one.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    passport: Mapped[Passport] = relationship()
    links: Mapped[list[ShareLink]] = relationship(
        back_populates="grant", cascade="all, delete-orphan"
    )


class ShareLink(Base):
    """A link sent to the organisation. Only the hash of its token is stored."""

    __tablename__ = "share_links"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    grant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("share_grants.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    # Wrong codes over the link's whole life: past a limit it is locked for good, so
    # asking for new codes again and again cannot add up to a likely guess.
    failed_codes: Mapped[int] = mapped_column(default=0, server_default="0")

    grant: Mapped[ShareGrant] = relationship(back_populates="links")


class AccessCode(Base):
    """A one-time code e-mailed to the organisation before it may open a link."""

    __tablename__ = "access_codes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    link_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("share_links.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


@vault.sealed_under("passport")
class AccessEvent(Base):
    """Who saw which sections of a passport, and when. Shown to the resident.

    The audit trail (ADR 0031): never changed once written, each is entry `seq` of its
    passport's chain, `chain_hash` = SHA-256(entry seq-1's hash || its bytes), the chain's
    head in `audit_chains`. A visit (`look_id`) is one entry, and one more for each look
    during it that showed a section it had not shown yet (naming only those).
    """

    __tablename__ = "access_events"
    __table_args__ = (UniqueConstraint("passport_id", "seq"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int]
    look_id: Mapped[uuid.UUID] = mapped_column(index=True)
    chain_hash: Mapped[bytes] = mapped_column(LargeBinary)
    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("share_grants.id", ondelete="CASCADE"))
    sections_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[datetime]
    # Seen by signed-in staff of the organisation (its inbox), not through a share link.
    by_staff: Mapped[bool] = mapped_column(default=False, server_default=false())

    grant: Mapped[ShareGrant] = relationship(lazy="joined")
    passport: Mapped[Passport] = relationship()


class AuditChain(Base):
    """The head of a passport's audit chain: how many entries, and the last one's hash.
    Each append moves it on with one UPDATE (the row's lock orders appends: ADR 0031)."""

    __tablename__ = "audit_chains"

    passport_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), primary_key=True
    )
    length: Mapped[int] = mapped_column(default=0, server_default="0")
    head: Mapped[bytes] = mapped_column(LargeBinary)


@vault.sealed_under("passport")
class ConsentReceipt(Base):
    """One receipt for one grant's making or change: what was agreed, sealed as a whole.

    `change` is plain (made, sections, period, withdrawn, revoked, expired): when a share
    was made or ended is plain already on its grant; what it named is sealed in `record`.
    """

    __tablename__ = "consent_receipts"
    __table_args__ = (UniqueConstraint("grant_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    grant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("share_grants.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    change: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    record_sealed: Mapped[bytes] = mapped_column(LargeBinary)

    passport: Mapped[Passport] = relationship()
    grant: Mapped[ShareGrant] = relationship()

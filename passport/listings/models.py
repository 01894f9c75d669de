"""Listing changes an organisation's admin proposes, and what happened to each listing
(capacity changed, checked, a change approved or rejected), with who did it."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from passport.database import Base


class ChangeStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


_STATUSES = ", ".join(f"'{status.value}'" for status in ChangeStatus)


class ListingChange(Base):
    """What an organisation's admin proposes for one of its listings, waiting for a
    directory admin. Listings are public, so the words are plain. `old` is the listing as it
    was when first proposed and `base_state` its fingerprint: a listing that has changed
    since (an import, another approval) is shown to the directory admin as a conflict."""

    __tablename__ = "listing_changes"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUSES})", name="status"),
        # One pending change a service: a second proposal amends it.
        Index(
            "ix_listing_changes_one_pending",
            "service_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_listing_changes_status", "status", "proposed_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=ChangeStatus.PENDING)
    old: Mapped[dict[str, Any]] = mapped_column(JSON)
    new: Mapped[dict[str, Any]] = mapped_column(JSON)
    base_state: Mapped[str] = mapped_column(String(80))
    proposed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    proposed_at: Mapped[datetime]
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)


class EventKind(enum.StrEnum):
    CAPACITY = "capacity"
    CHECKED = "checked"
    APPROVED = "approved"
    REJECTED = "rejected"


_KINDS = ", ".join(f"'{kind.value}'" for kind in EventKind)


class ListingEvent(Base):
    """The listing's audit trail: who did what, when; for capacity, from what to what."""

    __tablename__ = "listing_events"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS})", name="kind"),
        Index("ix_listing_events_service", "service_id", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    at: Mapped[datetime]
    # Capacity: {"from": {...}, "to": {...}}; a decision: {"change": id}.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

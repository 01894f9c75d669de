"""The organisation's inbox (ADR 0010): one row per referral sent to it, which a copy of
the database alone cannot tie to a passport, a referral or a service."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport import vault
from passport.database import Base
from passport.staff.models import OrganisationKey


@vault.sealed_under("key")
class InboxEntry(Base):
    """A referral in an organisation's inbox. In plain only the organisation, its own
    running number (newest first without a time) and the day it arrived; the referral and
    the service are sealed under the organisation's key, and the status and service are
    keyed hashes under that key, so the filters are SQL equality and say nothing across
    organisations."""

    __tablename__ = "inbox_entries"
    __table_args__ = (
        UniqueConstraint("organisation_id", "seq"),
        Index("ix_inbox_entries_status", "organisation_id", "status_index", "seq"),
        Index("ix_inbox_entries_service", "organisation_id", "service_index", "seq"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation_keys.organisation_id", ondelete="CASCADE")
    )
    seq: Mapped[int]
    day: Mapped[date]
    referral_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    service_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Keyed hashes under the organisation's data key (vault.keyed_index).
    referral_index: Mapped[str] = mapped_column(String(64), unique=True)
    status_index: Mapped[str] = mapped_column(String(64))
    service_index: Mapped[str] = mapped_column(String(64))

    key: Mapped[OrganisationKey] = relationship()

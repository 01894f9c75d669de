from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport import vault
from passport.database import Base

if TYPE_CHECKING:
    from passport.needs.models import Passport


@vault.sealed_under("passport")
class Notice(Base):
    """Something the resident is told in the service itself ("There is an update on your
    referral"). What it is about is sealed: a notice about a referral names nobody in the
    plain columns, which say only whose passport and whether it has been read."""

    __tablename__ = "notices"
    # The header's count of unread notices is one lookup in this index.
    __table_args__ = (Index("ix_notices_unread", "passport_id", "read_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("passports.id", ondelete="CASCADE"))
    # {"kind": ..., and the ids its link needs}, as JSON.
    about_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]

    passport: Mapped[Passport] = relationship()


@vault.sealed_under("passport")
class ContactPreference(Base):
    """How the resident wants to hear about updates: e-mail (to their confirmed address) or
    text messages to a UK mobile number, sealed under the passport's key."""

    __tablename__ = "contact_preferences"
    __table_args__ = (CheckConstraint("channel IN ('email', 'sms')", name="channel"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), unique=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    phone_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime]

    passport: Mapped[Passport] = relationship()

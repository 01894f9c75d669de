"""What has been sent about a referral nobody opened: one row per referral and stage, made
in the same transaction as the messages it sends, so no stage is ever sent twice."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from passport.database import Base


class Stage(enum.StrEnum):
    REMINDER = "reminder"  # the organisation, after 2 working days
    ESCALATION = "escalation"  # the directory admins and the resident, after 5


_STAGES = ", ".join(f"'{stage.value}'" for stage in Stage)


class ReferralChaser(Base):
    """A chaser sent. It names only the referral (whose service is sealed under the
    passport's key) and the stage: a copy of the database still links no passport to a
    service or an organisation."""

    __tablename__ = "referral_chasers"
    __table_args__ = (
        UniqueConstraint("referral_id", "stage"),
        CheckConstraint(f"stage IN ({_STAGES})", name="stage"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]

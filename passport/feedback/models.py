"""An organisation's copy of a resident's feedback: the month and the score in plain, the
words sealed under the organisation's key, and nothing that names a referral or a day."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport import vault
from passport.database import Base
from passport.staff.models import OrganisationKey


@vault.sealed_under("key")
class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 5", name="score"),
        Index("ix_feedback_organisation_month", "organisation_id", "month"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation_keys.organisation_id", ondelete="CASCADE")
    )
    month: Mapped[str] = mapped_column(String(7))  # "2026-12": never the day
    score: Mapped[int]
    words_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)

    key: Mapped[OrganisationKey] = relationship()

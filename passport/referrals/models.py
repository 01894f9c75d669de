from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport import vault
from passport.database import Base
from passport.referrals.lifecycle import Status

if TYPE_CHECKING:
    from passport.needs.models import Passport


@vault.sealed_under("passport")
class Referral(Base):
    """A request to one service, with a share grant. A draft until the resident confirms."""

    __tablename__ = "referrals"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    # Which service is sealed too: a referral to a domestic abuse service names a need.
    service_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # The names as they were when it was made, so that the referral still reads well after
    # the service leaves the directory. Empty on referrals made before they were kept.
    service_name_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    organisation_name_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    grant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("share_grants.id", ondelete="SET NULL")
    )
    # A CHECK constraint (ck_referrals_status) keeps out any status the lifecycle lacks.
    status: Mapped[Status] = mapped_column(
        Enum(
            Status,
            native_enum=False,
            length=20,
            create_constraint=True,
            name="status",
            values_callable=lambda statuses: [status.value for status in statuses],
        ),
        index=True,
    )
    sections_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    message_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    share_days: Mapped[int]
    decline_reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    passport: Mapped[Passport] = relationship()
    grant = relationship("ShareGrant")
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral",
        cascade="all, delete-orphan",
        order_by="ReferralEvent.at",
    )


class ReferralEvent(Base):
    """One step on a referral's timeline."""

    __tablename__ = "referral_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]

    referral: Mapped[Referral] = relationship(back_populates="events")

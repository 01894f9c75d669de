from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport import vault
from passport.database import Base
from passport.referrals.lifecycle import Actor, Status

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
    # The resident's own answer to "Did this help?" (passport/feedback), JSON; None until asked.
    feedback_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    passport: Mapped[Passport] = relationship()
    grant = relationship("ShareGrant")
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral",
        cascade="all, delete-orphan",
        order_by="ReferralEvent.at",
    )
    messages: Mapped[list[ReferralMessage]] = relationship(
        back_populates="referral",
        cascade="all, delete-orphan",
        order_by="ReferralMessage.at",
    )


def _actor_column() -> Mapped[Actor]:
    return mapped_column(
        Enum(
            Actor,
            native_enum=False,
            length=20,
            create_constraint=False,
            values_callable=lambda actors: [actor.value for actor in actors],
        )
    )


@vault.sealed_under("passport")
class ReferralEvent(Base):
    """One step on a referral's timeline: who made it, and the reason or outcome it carried
    (sealed with the passport's key: the organisation's reason names the person's need)."""

    __tablename__ = "referral_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[Actor] = _actor_column()
    # JSON: {"reason": ...} or {"outcome": <lifecycle.Outcome>, "details": ...}; None for none.
    note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    at: Mapped[datetime]

    referral: Mapped[Referral] = relationship(back_populates="events")

    @property
    def passport(self) -> Passport:
        """The key the note is sealed with: the referral's passport's."""
        return self.referral.passport


@vault.sealed_under("passport")
class ReferralMessage(Base):
    """A short message on a referral, from the resident or the organisation."""

    __tablename__ = "referral_messages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    passport_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    sender: Mapped[Actor] = _actor_column()
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[datetime]

    referral: Mapped[Referral] = relationship(back_populates="messages")
    passport: Mapped[Passport] = relationship()

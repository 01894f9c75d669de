from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport import vault
from passport.database import Base


@vault.key_owner("passport")
class Passport(Base):
    """A person's passport. Its data key is stored only wrapped by a key-encryption key.

    Its owner is the account that signs in to it. A passport made for someone at an
    information point is held for them, with no owner, until they claim it; anyone else
    who acts on it does so under the person's consent (a Consent), never as its owner
    (docs/adr/0013-who-owns-a-passport.md).
    """

    __tablename__ = "passports"
    # Owned since it was claimed, or held for someone and not claimed: never half of each.
    __table_args__ = (
        CheckConstraint("(account_id IS NULL) = (claimed_at IS NULL)", name="owned_once_claimed"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    # When the owner took it: at sign-up for a passport they made themself.
    claimed_at: Mapped[datetime | None]
    kek_id: Mapped[str] = mapped_column(String(16))
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    about_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    needs: Mapped[list[Need]] = relationship(
        back_populates="passport",
        cascade="all, delete-orphan",
        order_by="Need.created_at",
    )


@vault.sealed_under("passport")
class Need(Base):
    """One need. Even the category is sealed: knowing someone has a debt need is personal."""

    __tablename__ = "needs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    category_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    story_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    passport: Mapped[Passport] = relationship(back_populates="needs")


@vault.sealed_under("passport")
class Consent(Base):
    """A person's consent that someone else, a volunteer at an information point, acts on
    their passport: for this visit, or a few days of follow-up. Who, where and what they may
    do are sealed under the passport's key, so a copy of the database does not link a
    passport to a volunteer or a place; the plain columns say only whether it is in force.
    """

    __tablename__ = "consents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    details_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    # Ended early: the visit's session ended, or the person took their consent back.
    ended_at: Mapped[datetime | None]

    passport: Mapped[Passport] = relationship()

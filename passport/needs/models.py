from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport import vault
from passport.database import Base


@vault.key_owner("passport")
class Passport(Base):
    """A resident's passport. Its data key is stored only wrapped by a key-encryption key."""

    __tablename__ = "passports"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
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

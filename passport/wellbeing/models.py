"""A wellbeing check-in: only its id and its passport are plain. The scores and the moment it
was made are sealed together, in one fixed width, so neither the value nor its length tells."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport import vault
from passport.database import Base

if TYPE_CHECKING:
    from passport.needs.models import Passport


@vault.sealed_under("passport")
class CheckIn(Base):
    __tablename__ = "wellbeing_checkins"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    # No created_at: when someone checked in, and how often, is theirs too.
    answers_sealed: Mapped[bytes] = mapped_column(LargeBinary)

    passport: Mapped[Passport] = relationship("Passport")

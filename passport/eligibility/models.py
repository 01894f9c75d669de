"""Eligibility: the questions a service asks of its own, and a resident's answers.

The questions a listing's HSDS data answers (ages, an area the directory can place) are
derived from it on every use and never stored; only a service's own yes/no questions about
someone's circumstances are kept here, beside the listing and outside its HSDS document.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from passport import vault
from passport.database import Base

if TYPE_CHECKING:
    from passport.needs.models import Passport

QUESTION_MAX = 300
MEANING_MAX = 300


class IfNo(enum.StrEnum):
    """What a "No" to a service's own question means."""

    NOT_ELIGIBLE = "not-eligible"  # told why before sending, and shown services that fit
    BORDERLINE = "borderline"  # sent, with a note to the organisation


class EligibilityQuestion(Base):
    """A service's own yes/no question about someone's circumstances ("Do you look after
    someone without being paid?"), and who the service is for, said plainly ("It is only for
    unpaid carers."), shown to someone whose "No" rules them out."""

    __tablename__ = "eligibility_questions"
    __table_args__ = (CheckConstraint("if_no IN ('not-eligible', 'borderline')", name="if_no"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    question: Mapped[str] = mapped_column(String(QUESTION_MAX))
    meaning: Mapped[str] = mapped_column(String(MEANING_MAX))
    if_no: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]


@vault.sealed_under("passport")
class EligibilityAnswers(Base):
    """A resident's answers to services' questions (their age, a postcode, yes/no/not sure
    to each service's own question), sealed under the passport's key as one JSON value, so
    the next referral starts from them."""

    __tablename__ = "eligibility_answers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    passport_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), unique=True
    )
    answers_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime]

    passport: Mapped[Passport] = relationship()


@vault.sealed_under("passport")
class EligibilityNote(Base):
    """What the organisation is told with a referral sent on a borderline answer ("Said not
    sure about: ..."), sealed under the passport's key like the referral."""

    __tablename__ = "eligibility_notes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), unique=True
    )
    passport_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("passports.id", ondelete="CASCADE"), index=True
    )
    note_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]

    passport: Mapped[Passport] = relationship()

"""Asking whether a completed referral helped, and what an organisation may see of it.

The answer is written twice in one transaction: the resident's copy sealed under the
passport's key on the referral (one conditional UPDATE, so a second answer changes nothing),
and the organisation's copy in `feedback`, keyed by the organisation and the month only."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select, update

from passport import clock, vault
from passport.database import db
from passport.errors import NotFoundError
from passport.feedback.models import Feedback
from passport.referrals import service as referrals
from passport.referrals.lifecycle import Status
from passport.referrals.models import Referral
from passport.sharing import service as sharing
from passport.staff import service as staff

SCORES = (1, 2, 3, 4, 5)
WORDS_MAX = 1000
FEWEST_SHOWN = 5  # fewer answers than this and the organisation sees none of them


@dataclass(frozen=True)
class Answer:
    score: int
    words: str


def can_answer(referral: Referral) -> bool:
    return referral.status is Status.COMPLETED and referral.feedback_sealed is None


def answer_of(referral: Referral) -> Answer | None:
    if referral.feedback_sealed is None:
        return None
    data = json.loads(vault.open(referral, "feedback", referral.feedback_sealed))
    return Answer(score=int(data["score"]), words=str(data["words"]))


def _organisation_of(referral: Referral) -> uuid.UUID | None:
    if referral.grant is not None:
        try:
            return sharing.organisation_of(referral.grant).id
        except NotFoundError:
            return None  # the organisation has left the directory
    try:
        return referrals.listed_service(referral).organisation_id
    except NotFoundError:
        return None


def answer(referral: Referral, score: int, words: str) -> bool:
    """Keep the resident's answer; False if it was answered already or is not completed."""
    if score not in SCORES:
        raise ValueError(score)
    sealed = vault.seal(referral, "feedback", json.dumps({"score": score, "words": words}))
    done = db.session.execute(
        update(Referral)
        .where(
            Referral.id == referral.id,
            Referral.status == Status.COMPLETED,
            Referral.feedback_sealed.is_(None),
        )
        .values(feedback_sealed=sealed)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(referral)
        return False
    organisation_id = _organisation_of(referral)
    if organisation_id is not None:
        key = staff.organisation_key(organisation_id)
        row = Feedback(
            id=uuid.uuid4(),
            key=key,
            organisation_id=organisation_id,
            month=clock.now().strftime("%Y-%m"),
            score=score,
        )
        row.words_sealed = vault.seal(row, "words", words) if words else None
        db.session.add(row)
    db.session.flush()
    db.session.refresh(referral)
    return True


@dataclass
class Month:
    month: str  # "2026-12"
    words: list[str] = field(default_factory=list)


@dataclass
class Summary:
    count: int
    spread: dict[int, int]  # score: how many
    months: list[Month]  # newest first, each with its words

    @property
    def shown(self) -> bool:
        return self.count >= FEWEST_SHOWN


def summary(organisation_id: uuid.UUID) -> Summary:
    rows = list(
        db.session.scalars(
            select(Feedback)
            .where(Feedback.organisation_id == organisation_id)
            .order_by(Feedback.month.desc())
        )
    )
    if len(rows) < FEWEST_SHOWN:
        return Summary(count=len(rows), spread={}, months=[])
    counted = Counter(row.score for row in rows)
    months: dict[str, Month] = {}
    for row in rows:
        month = months.setdefault(row.month, Month(row.month))
        if row.words_sealed is not None:
            month.words.append(vault.open(row, "words", row.words_sealed))
    for month in months.values():
        month.words.sort()  # no order within a month that could follow the referrals'
    return Summary(
        count=len(rows),
        spread={score: counted.get(score, 0) for score in SCORES},
        months=list(months.values()),
    )

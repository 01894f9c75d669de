"""Recording and reading a passport's wellbeing check-ins, sealed under its key.

A check-in is sealed as one fixed-width text: the moment (UTC, to the second) and the four
scores as two digits each, so every sealed check-in is as long as any other."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from passport import clock, vault
from passport.database import db, owned_or_404
from passport.wellbeing.models import CheckIn
from passport.wellbeing.questions import CODES, HIGHEST, LOWEST

if TYPE_CHECKING:
    from passport.needs.models import Passport

_MOMENT = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True)
class CheckInView:
    id: uuid.UUID
    at: datetime
    scores: dict[str, int]  # question code: 0 to 10


def _encode(at: datetime, scores: dict[str, int]) -> str:
    return "|".join([at.astimezone(UTC).strftime(_MOMENT)] + [f"{scores[c]:02d}" for c in CODES])


def _decode(text: str) -> tuple[datetime, dict[str, int]]:
    moment, *values = text.split("|")
    at = datetime.strptime(moment, _MOMENT).replace(tzinfo=UTC)
    return at, dict(zip(CODES, (int(value) for value in values), strict=True))


def _view(row: CheckIn) -> CheckInView:
    at, scores = _decode(vault.open(row, "answers", row.answers_sealed))
    return CheckInView(id=row.id, at=at, scores=scores)


def record(passport: Passport, scores: dict[str, int]) -> CheckInView:
    if set(scores) != set(CODES) or any(not LOWEST <= s <= HIGHEST for s in scores.values()):
        raise ValueError(scores)
    row = CheckIn(passport_id=passport.id, passport=passport)
    row.answers_sealed = vault.seal(row, "answers", _encode(clock.now(), scores))
    db.session.add(row)
    return _view(row)


def history(passport: Passport) -> list[CheckInView]:
    """Every check-in, oldest first: the order is known only once they are opened."""
    rows = db.session.scalars(select(CheckIn).where(CheckIn.passport_id == passport.id))
    return sorted((_view(row) for row in rows), key=lambda view: (view.at, str(view.id)))


def get_or_404(passport: Passport, checkin_id: uuid.UUID) -> CheckInView:
    return _view(owned_or_404(CheckIn, checkin_id, passport_id=passport.id))


def remove(passport: Passport, checkin_id: uuid.UUID) -> None:
    db.session.delete(owned_or_404(CheckIn, checkin_id, passport_id=passport.id))

"""Who a service is for: its questions, a resident's answers, and what they mean.

A service's questions come from two places. Its HSDS listing answers some: its ages
(`minimum_age`, `maximum_age`) ask "How old are you?", and service areas that name ONS
areas the directory can place a postcode in (a ward or LSOA code in the area's `uri`) ask
for a postcode. The service's own yes/no questions about someone's circumstances are kept in
`eligibility_questions`, each saying what a "No" means: not eligible, or borderline (sent, with
a note to the organisation). "Not sure" is always borderline.

A resident's answers are one JSON value sealed under the passport's key: their age, a
postcode, and yes/no/not sure by question. They are kept so that the next referral starts
from them; nothing else about them is stored, and the match is made in memory.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from passport import clock, vault
from passport.database import db
from passport.directory import listing, postcodes, search
from passport.eligibility.models import (
    MEANING_MAX,
    QUESTION_MAX,
    EligibilityAnswers,
    EligibilityNote,
    EligibilityQuestion,
    IfNo,
)

if TYPE_CHECKING:
    from passport.directory.models import Service
    from passport.needs.models import Passport

AGE = "age"
POSTCODE = "postcode"
YES, NO, NOT_SURE = "yes", "no", "not-sure"
ANSWERS = (YES, NO, NOT_SURE)
OLDEST = 120  # an age above this is a mistake, not an answer
SIMILAR_SHOWN = 5
SIMILAR_WEIGHED = 50

# An ONS area code (GSS): a country letter and 8 digits, e.g. E05000026 for a ward.
_AREA_CODE = re.compile(r"[EWSN][0-9]{8}")


@dataclass(frozen=True)
class Question:
    """One question a service asks. `key` names the answer: "age", "postcode", or the id
    of a service's own question."""

    key: str
    kind: str  # "age", "postcode" or "circumstance"
    text: str | LazyString  # the service's own words for a circumstance; ours otherwise
    meaning: str = ""  # who the service is for, for a circumstance question
    if_no: IfNo = IfNo.NOT_ELIGIBLE


@dataclass(frozen=True)
class Answers:
    age: int | None = None
    postcode: str | None = None  # as the ONS writes it ("EB1 2AB")
    circumstances: Mapping[str, str] = field(default_factory=dict)  # question id: answer

    def answer(self, key: str) -> object:
        if key == AGE:
            return self.age
        if key == POSTCODE:
            return self.postcode
        return self.circumstances.get(key)

    def to_json(self) -> str:
        return json.dumps(
            {"age": self.age, "postcode": self.postcode, "circumstances": dict(self.circumstances)}
        )

    @classmethod
    def from_json(cls, raw: str) -> Answers:
        found = json.loads(raw)
        return cls(found.get("age"), found.get("postcode"), found.get("circumstances") or {})


@dataclass(frozen=True)
class Assessment:
    """What a resident's answers mean for one service."""

    ruled_out: list[str]  # why they cannot use it, in plain words
    notes: list[dict[str, str]]  # what the organisation is told (see note_lines)
    unanswered: list[str]  # the keys of questions without an answer

    @property
    def fits(self) -> bool:
        return not self.ruled_out


# The service's questions ---------------------------------------------------------------------


def area_codes(service: Service) -> frozenset[str] | None:
    """The ONS areas (wards or LSOAs) a service covers, when the directory can tell: every
    one of its service areas names one by its `uri`. None when it cannot (no areas, or one
    described only in words), and then nobody is asked for a postcode."""
    areas = (service.document or {}).get("service_areas") or []
    codes = set()
    for area in areas:
        uri = str(area.get("uri") or "").rstrip("/")
        code = uri.rsplit("/", 1)[-1]
        if not _AREA_CODE.fullmatch(code):
            return None
        codes.add(code)
    return frozenset(codes) or None


def _custom(service_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[EligibilityQuestion]]:
    ids = list(service_ids)
    found: dict[uuid.UUID, list[EligibilityQuestion]] = defaultdict(list)
    if not ids:
        return found
    rows = db.session.scalars(
        select(EligibilityQuestion)
        .where(EligibilityQuestion.service_id.in_(ids))
        .order_by(EligibilityQuestion.position)
    )
    for row in rows:
        found[row.service_id].append(row)
    return found


def _questions(service: Service, own: list[EligibilityQuestion]) -> list[Question]:
    asked = []
    if service.minimum_age is not None or service.maximum_age is not None:
        asked.append(Question(AGE, AGE, _l("How old are you?")))
    if area_codes(service) is not None and postcodes.any_loaded():
        asked.append(Question(POSTCODE, POSTCODE, _l("What is your postcode?")))
    asked.extend(
        Question(str(row.id), "circumstance", row.question, row.meaning, IfNo(row.if_no))
        for row in own
    )
    return asked


def questions_for(service: Service) -> list[Question]:
    """The questions a resident answers before referring themself to this service."""
    return _questions(service, _custom([service.id])[service.id])


# What the answers mean ------------------------------------------------------------------------


def age_range(service: Service) -> str:
    """Who the service is for by age, in plain words ("for people aged 18 to 25")."""
    low, high = service.minimum_age, service.maximum_age
    if low is not None and high is not None:
        return _(
            "%(service)s is for people aged %(low)s to %(high)s.",
            service=service.name,
            low=low,
            high=high,
        )
    if low is not None:
        return _("%(service)s is for people aged %(low)s or over.", service=service.name, low=low)
    return _("%(service)s is for people aged %(high)s or under.", service=service.name, high=high)


def _assess(service: Service, questions: list[Question], answers: Answers) -> Assessment:
    ruled_out: list[str] = []
    notes: list[dict[str, str]] = []
    unanswered: list[str] = []
    for question in questions:
        given = answers.answer(question.key)
        if given is None:
            unanswered.append(question.key)
        elif question.kind == AGE:
            low, high = service.minimum_age, service.maximum_age
            age = int(str(given))
            if (low is not None and age < low) or (high is not None and age > high):
                ruled_out.append(age_range(service))
        elif question.kind == POSTCODE:
            place = postcodes.lookup(str(given))
            codes = area_codes(service) or frozenset()
            if place is None:
                # A real-looking postcode the directory does not know: nobody can tell.
                notes.append({"kind": "postcode-unknown"})
            elif not {place.ward_code, place.lsoa_code} & codes:
                ruled_out.append(
                    _(
                        "%(service)s is only for people who live in the area it covers: %(area)s.",
                        service=service.name,
                        area=service.area,
                    )
                )
        elif given == NOT_SURE:
            notes.append({"kind": "not-sure", "question": str(question.text)})
        elif given == NO and question.if_no is IfNo.BORDERLINE:
            notes.append({"kind": "said-no", "question": str(question.text)})
        elif given == NO:
            ruled_out.append(question.meaning)
    return Assessment(ruled_out, notes, unanswered)


def assess(service: Service, answers: Answers) -> Assessment:
    return _assess(service, questions_for(service), answers)


def note_lines(notes: list[dict[str, str]]) -> list[str]:
    """A note's lines in the reader's language (the service's own questions in its words)."""
    lines = []
    for note in notes:
        if note["kind"] == "not-sure":
            lines.append(_("Said not sure about: %(question)s", question=note["question"]))
        elif note["kind"] == "said-no":
            lines.append(_("Said no to: %(question)s", question=note["question"]))
        else:
            lines.append(
                _(
                    "Gave a postcode the directory does not know, so we could not check that "
                    "they live in the area the service covers."
                )
            )
    return lines


def similar_services(service: Service, answers: Answers) -> list[Service]:
    """Services in the same categories that the resident can refer themself to now and
    that their answers do not rule out: what to try instead."""
    if not service.categories:
        return []
    results = search.find(
        search.Query(categories=tuple(service.categories), per_page=SIMILAR_WEIGHED)
    )
    candidates = [
        hit.service
        for hit in results.hits
        if hit.service.id != service.id
        and hit.service.accepts_self_referral
        and listing.referral_refusal(hit.service) is None
    ]
    own = _custom(candidate.id for candidate in candidates)
    fitting = [
        candidate
        for candidate in candidates
        if _assess(candidate, _questions(candidate, own[candidate.id]), answers).fits
    ]
    return fitting[:SIMILAR_SHOWN]


# The resident's answers ------------------------------------------------------------------------


def _answers_row(passport: Passport) -> EligibilityAnswers | None:
    return db.session.scalar(
        select(EligibilityAnswers).where(EligibilityAnswers.passport_id == passport.id)
    )


def get_answers(passport: Passport) -> Answers:
    row = _answers_row(passport)
    if row is None:
        return Answers()
    return Answers.from_json(vault.open(row, "answers", row.answers_sealed))


def save_answers(passport: Passport, answers: Answers) -> None:
    """Keep the answers (merged into those kept: another service's answers stay)."""
    kept = get_answers(passport)
    merged = Answers(
        age=answers.age if answers.age is not None else kept.age,
        postcode=answers.postcode if answers.postcode is not None else kept.postcode,
        circumstances={**kept.circumstances, **answers.circumstances},
    )
    row = _answers_row(passport)
    if row is None:
        row = EligibilityAnswers(id=uuid.uuid4(), passport=passport)
        db.session.add(row)
    row.answers_sealed = vault.seal(row, "answers", merged.to_json())
    row.updated_at = clock.now()


def check_answers(passport: Passport, service: Service) -> Assessment:
    """What the passport's kept answers mean for this service."""
    return assess(service, get_answers(passport))


# The organisation's note ---------------------------------------------------------------------


def record_note(passport: Passport, referral_id: uuid.UUID, service: Service) -> None:
    """Keep what the organisation is told about a referral sent on borderline answers (as
    the answers stand when it is sent); nothing for answers that fit."""
    notes = check_answers(passport, service).notes
    row = db.session.scalar(
        select(EligibilityNote).where(EligibilityNote.referral_id == referral_id)
    )
    if not notes:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = EligibilityNote(
            id=uuid.uuid4(), referral_id=referral_id, passport=passport, created_at=clock.now()
        )
        db.session.add(row)
    row.note_sealed = vault.seal(row, "note", json.dumps(notes))


def note_for(referral_id: uuid.UUID) -> list[str]:
    """The note on a referral, in the reader's language; empty if there is none."""
    row = db.session.scalar(
        select(EligibilityNote).where(EligibilityNote.referral_id == referral_id)
    )
    if row is None:
        return []
    return note_lines(json.loads(vault.open(row, "note", row.note_sealed)))


# Setting a service's own questions (the CLI today; organisation admins' pages later) -----------


class QuestionError(ValueError):
    """A question that cannot be kept: said why, for the person setting it."""


@dataclass(frozen=True)
class OwnQuestion:
    position: int
    question: str
    meaning: str
    if_no: IfNo


def own_questions(service: Service) -> list[OwnQuestion]:
    return [
        OwnQuestion(row.position, row.question, row.meaning, IfNo(row.if_no))
        for row in _custom([service.id])[service.id]
    ]


def _checked(question: str, meaning: str, if_no: str) -> tuple[str, str, IfNo]:
    question, meaning = " ".join(question.split()), " ".join(meaning.split())
    if not question:
        raise QuestionError("A question needs its words.")
    if len(question) > QUESTION_MAX or len(meaning) > MEANING_MAX:
        raise QuestionError(
            f"A question and who the service is for must each be {QUESTION_MAX} characters or "
            "fewer."
        )
    try:
        rule = IfNo(if_no)
    except ValueError:
        raise QuestionError(f"A 'No' means one of: {', '.join(IfNo)}.") from None
    if rule is IfNo.NOT_ELIGIBLE and not meaning:
        raise QuestionError(
            "Say who the service is for, to tell someone whose 'No' rules them out "
            "(for example: 'It is only for unpaid carers.')."
        )
    return question, meaning, rule


def add_question(service: Service, question: str, meaning: str, if_no: str) -> OwnQuestion:
    """Add a yes/no question after the service's others."""
    text, meaning, rule = _checked(question, meaning, if_no)
    last = db.session.scalar(
        select(func.max(EligibilityQuestion.position)).where(
            EligibilityQuestion.service_id == service.id
        )
    )
    position = (last or 0) + 1
    db.session.add(
        EligibilityQuestion(
            id=uuid.uuid4(),
            service_id=service.id,
            position=position,
            question=text,
            meaning=meaning,
            if_no=rule.value,
            created_at=clock.now(),
        )
    )
    return OwnQuestion(position, text, meaning, rule)


def remove_question(service: Service, position: int) -> bool:
    """Remove the question at this position (as listed); False if there is none."""
    removed = db.session.execute(
        delete(EligibilityQuestion).where(
            EligibilityQuestion.service_id == service.id,
            EligibilityQuestion.position == position,
        )
    )
    return bool(removed.rowcount)  # type: ignore[attr-defined]


def set_questions(service: Service, questions: list[Mapping[str, Any]]) -> None:
    """Make the service's own questions these ({"question", "meaning", "if_no"}), in this
    order. A question asked before keeps its id, so the answers residents gave it still count."""
    checked = [
        _checked(str(q.get("question", "")), str(q.get("meaning", "")), str(q.get("if_no", "")))
        for q in questions
    ]
    kept = {row.question: row for row in _custom([service.id])[service.id]}
    for position, (text, meaning, rule) in enumerate(checked, start=1):
        row = kept.pop(text, None)
        if row is None:
            row = EligibilityQuestion(
                id=uuid.uuid4(), service_id=service.id, question=text, created_at=clock.now()
            )
            db.session.add(row)
        row.position, row.meaning, row.if_no = position, meaning, rule.value
    for row in kept.values():
        db.session.delete(row)

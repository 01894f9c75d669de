"""The ONS personal wellbeing questions (ONS4), word for word, each answered from 0 to 10."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

LOWEST, HIGHEST = 0, 10


@dataclass(frozen=True)
class Question:
    code: str
    text: LazyString  # as ONS asks it
    short: LazyString  # ONS's own name for the measure, on the chart and the table
    lower_is_better: bool = False


QUESTIONS = (
    Question(
        "life",
        _l("Overall, how satisfied are you with your life nowadays?"),
        _l("Life satisfaction"),
    ),
    Question(
        "worthwhile",
        _l(
            "Overall, to what extent do you feel that the things you do in your life "
            "are worthwhile?"
        ),
        _l("Worthwhile"),
    ),
    Question("happy", _l("Overall, how happy did you feel yesterday?"), _l("Happiness")),
    Question(
        "anxious",
        _l("Overall, how anxious did you feel yesterday?"),
        _l("Anxiety"),
        lower_is_better=True,
    ),
)
CODES = tuple(question.code for question in QUESTIONS)

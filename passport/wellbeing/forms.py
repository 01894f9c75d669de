from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import AnyOf, DataRequired

from passport.forms import Form, choices
from passport.wellbeing.questions import HIGHEST, LOWEST, QUESTIONS

SCALE = choices(
    [(str(LOWEST), _l("0 – Not at all"))]
    + [(str(n), str(n)) for n in range(LOWEST + 1, HIGHEST)]
    + [(str(HIGHEST), _l("10 – Completely"))]
)
VALUES = [choice.value for choice in SCALE]

# One message per question, so the error summary says which one needs an answer.
MESSAGES = {
    "life": _l("Select a number from 0 to 10 for how satisfied you are with your life"),
    "worthwhile": _l("Select a number from 0 to 10 for how worthwhile the things you do are"),
    "happy": _l("Select a number from 0 to 10 for how happy you felt yesterday"),
    "anxious": _l("Select a number from 0 to 10 for how anxious you felt yesterday"),
}


def _score(code: str) -> RadioField:
    question = next(q for q in QUESTIONS if q.code == code)
    message = MESSAGES[code]
    return RadioField(
        question.text,
        choices=SCALE,
        validators=[DataRequired(message=message), AnyOf(VALUES, message=message)],
        # A value from outside the scale (a changed form) gets the same clear message.
        validate_choice=False,
    )


class CheckInForm(Form):
    life = _score("life")
    worthwhile = _score("worthwhile")
    happy = _score("happy")
    anxious = _score("anxious")

    def scores(self) -> dict[str, int]:
        return {q.code: int(self[q.code].data) for q in QUESTIONS}

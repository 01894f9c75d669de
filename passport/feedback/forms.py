from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Optional

from passport.feedback.service import WORDS_MAX
from passport.forms import Form, MaxLength, choices, one_newline

SCORE_NAMES = (
    ("5", _l("It helped a lot")),
    ("4", _l("It helped")),
    ("3", _l("It helped a little")),
    ("2", _l("It did not help much")),
    ("1", _l("It did not help at all")),
)


class FeedbackForm(Form):
    score = RadioField(
        _l("Did this help?"),
        choices=choices(SCORE_NAMES),
        validators=[
            DataRequired(message=_l("Select how much it helped")),
            AnyOf([value for value, _name in SCORE_NAMES], message=_l("Select how much it helped")),
        ],
        validate_choice=False,
    )
    words = TextAreaField(
        _l("Tell us more (optional)"),
        description=_l("The organisation sees what you write here, but not who wrote it."),
        filters=[one_newline],
        validators=[
            Optional(),
            MaxLength(WORDS_MAX, _l("What you write must be %(max)s characters or fewer")),
        ],
    )

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Regexp

from passport.forms import Form, MaxLength, ascii_digits, one_newline
from passport.referrals.service import REASON_MAX


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("The code is 6 numbers"),
        validators=[
            DataRequired(message=_l("Enter the code we sent")),
            Regexp(r"^[0-9]{6}$", message=_l("The code must be 6 numbers")),
        ],
        filters=[ascii_digits],
    )


class DeclineForm(Form):
    reason = TextAreaField(
        _l("Why are you declining this referral?"),
        description=_l(
            "The person will read this. Say why in plain words and, if you can, where else "
            "they could get help."
        ),
        filters=[one_newline],
        validators=[
            DataRequired(message=_l("Enter why you are declining this referral")),
            MaxLength(REASON_MAX, _l("The reason must be %(max)s characters or fewer")),
        ],
    )

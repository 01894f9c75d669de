from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Regexp

from passport.forms import ascii_digits


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

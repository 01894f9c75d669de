from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Regexp


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("The code is 6 numbers"),
        validators=[
            DataRequired(message=_l("Enter the code we sent")),
            Regexp(r"^\s*\d{6}\s*$", message=_l("The code must be 6 numbers")),
        ],
        filters=[lambda value: value.replace(" ", "") if isinstance(value, str) else value],
    )

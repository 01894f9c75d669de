from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from passport.forms import MaxLength, email_field


class EmailForm(FlaskForm):
    email = email_field()


class RecoveryCodeForm(FlaskForm):
    code = StringField(
        _l("Recovery code"),
        validators=[
            DataRequired(message=_l("Enter a recovery code")),
            MaxLength(100, _l("Recovery code must be %(max)s characters or fewer")),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )

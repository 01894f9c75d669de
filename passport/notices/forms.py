from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.validators import AnyOf, DataRequired, ValidationError

from passport.forms import Form, MaxLength, Option
from passport.notices.service import EMAIL, SMS, PhoneError, PhoneProblem, uk_mobile

PHONE_ERRORS = {
    PhoneProblem.MISSING: _l("Enter a UK mobile number, or choose email"),
    PhoneProblem.NOT_A_NUMBER: _l("Enter a UK mobile number, like 07700 900 982"),
    PhoneProblem.NOT_UK: _l("Enter a UK mobile number: we cannot send texts to other countries"),
    PhoneProblem.NOT_MOBILE: _l("Enter a mobile number: we cannot send texts to a landline"),
}


class ContactForm(Form):
    channel = RadioField(
        _l("How should we tell you about updates?"),
        choices=[
            Option(EMAIL, _l("Email"), hint=_l("To the email address you sign in with")),
            Option(SMS, _l("Text message"), hint=_l("To a UK mobile phone")),
        ],
        validators=[
            DataRequired(message=_l("Select how we should tell you about updates")),
            AnyOf((EMAIL, SMS), message=_l("Select how we should tell you about updates")),
        ],
        validate_choice=False,
    )
    phone = StringField(
        _l("UK mobile number"),
        description=_l("Only if you choose text messages. For example, 07700 900 982"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[MaxLength(40, _l("A mobile number must be %(max)s characters or fewer"))],
    )

    def validate_phone(self, field: Any) -> None:
        # A number given with email is kept for later, so it is checked too.
        if self.channel.data == SMS or field.data:
            try:
                uk_mobile(field.data or "")
            except PhoneError as error:
                raise ValidationError(str(PHONE_ERRORS[error.problem])) from error

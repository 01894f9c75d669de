from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from passport.forms import Form, choices, one_newline
from passport.referrals.service import MESSAGE_MAX, SHARE_PERIODS, share_period


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReferralForm(Form):
    sections = CheckboxesField(
        _l("Which parts of your passport can this organisation see?"),
        description=_l(
            "Select all that apply. They will also see anything you add to these parts "
            "later, until the sharing ends. You can stop sharing at any time."
        ),
        validators=[DataRequired(message=_l("Select at least one part of your passport to share"))],
        validate_choice=False,
    )
    message = TextAreaField(
        _l("Anything else you want them to know (optional)"),
        description=_l("They will also see the parts of your passport you choose above."),
        filters=[one_newline],
        validators=[
            Optional(),
            Length(
                max=MESSAGE_MAX,
                message=_l("Your message must be 2,000 characters or fewer"),
            ),
        ],
    )
    share_days = RadioField(
        _l("How long can they see it?"),
        choices=choices((str(days), LazyString(share_period, days)) for days in SHARE_PERIODS),
        default="90",
        validators=[
            DataRequired(message=_l("Select how long they can see your passport")),
            AnyOf(
                [str(days) for days in SHARE_PERIODS],
                message=_l("Select how long they can see your passport"),
            ),
        ],
        validate_choice=False,
    )

    def validate_sections(self, field: CheckboxesField) -> None:
        allowed = {choice.value for choice in field.choices or []}
        field.data = [value for value in field.data or [] if value in allowed]
        if not field.data:
            raise ValidationError(_l("Select at least one part of your passport to share"))

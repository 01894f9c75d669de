import re
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Optional, ValidationError

from passport import taxonomy
from passport.forms import Form, MaxLength, Option, one_newline
from passport.needs.service import STORY_MAX


class NeedForm(Form):
    category = RadioField(
        _l("What do you need help with?"),
        choices=[Option(c.code, c.name, hint=c.hint) for c in taxonomy.CATEGORIES],
        validators=[
            DataRequired(message=_l("Select what you need help with")),
            AnyOf(taxonomy.BY_CODE, message=_l("Select what you need help with")),
        ],
        validate_choice=False,
    )
    story = TextAreaField(
        _l("In your own words"),
        description=_l(
            "Say what is happening and what would help. Organisations you choose to share "
            "with will read this, so you do not have to tell your story again."
        ),
        filters=[one_newline],
        validators=[
            DataRequired(message=_l("Enter what is happening, in your own words")),
            MaxLength(STORY_MAX, _l("Your words must be %(max)s characters or fewer")),
        ],
    )


def _optional_text(
    label: str, max_length: int, message: str, extra: Sequence[object] = (), **kwargs: object
) -> StringField:
    return StringField(
        label,
        validators=[Optional(), MaxLength(max_length, message), *extra],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        **kwargs,
    )


PHONE_CHARACTERS = re.compile(r"[0-9 +()\-]+")


def phone_number(form: FlaskForm, field: StringField) -> None:
    """Digits, spaces, +, brackets and hyphens, with 7 to 20 digits: a number someone can ring."""
    value = field.data or ""
    digits = sum(ch in "0123456789" for ch in value)
    if value and (not PHONE_CHARACTERS.fullmatch(value) or not 7 <= digits <= 20):
        raise ValidationError(
            _l("Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192")
        )


# Every field is optional, and each says so.
class AboutForm(Form):
    name = _optional_text(
        _l("Your name (optional)"), 200, _l("Your name must be %(max)s characters or fewer")
    )
    phone = _optional_text(
        _l("Phone number (optional)"),
        40,
        _l("Phone number must be %(max)s characters or fewer"),
        extra=[phone_number],
    )
    email = _optional_text(
        _l("Email address for organisations to contact you (optional)"),
        320,
        _l("Email address must be %(max)s characters or fewer"),
    )
    contact_preference = _optional_text(
        _l("The best way and time to contact you (optional)"),
        500,
        _l("The best way to contact you must be %(max)s characters or fewer"),
        description=_l("For example, 'text me first, weekday mornings'"),
    )
    access_needs = TextAreaField(
        _l("Anything that helps you take part (optional)"),
        description=_l("For example, an interpreter, large print, or step-free access"),
        filters=[one_newline],
        validators=[
            Optional(),
            MaxLength(1000, _l("This must be %(max)s characters or fewer")),
        ],
    )

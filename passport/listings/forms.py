"""The forms an organisation's admin and a directory admin fill in for a listing."""

from __future__ import annotations

import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Email, Optional, ValidationError

from passport.forms import Form, MaxLength, Option, ascii_digits, one_newline
from passport.listings.service import WAIT_WEEKS_MAX, Capacity

TEXT_MAX = 20_000  # as an import takes (ADR 0020)
HOURS_MAX = 300  # the opening hours line on the listing
REASON_MAX = 1_000


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class _Plain:
    """No control characters (a tab, a NUL): they end up in pages, e-mails and the API.
    A multi-line field may hold line breaks."""

    def __init__(self, multi_line: bool) -> None:
        self.allowed = "\n" if multi_line else ""

    def __call__(self, form: Any, field: Field) -> None:
        for character in field.data or "":
            kind = unicodedata.category(character)
            if kind in ("Cc", "Zl", "Zp") and character not in self.allowed:
                if self.allowed:
                    raise ValidationError(str(_l("Remove the tab or other hidden character")))
                raise ValidationError(str(_l("Write this on one line, without tabs")))


class ListingForm(Form):
    description = TextAreaField(
        _l("What the service does"),
        description=_l("Say who you help and how, in plain words."),
        filters=[one_newline, _strip],
        validators=[
            DataRequired(message=_l("Enter what the service does")),
            MaxLength(TEXT_MAX, _l("The description must be %(max)s characters or fewer")),
            _Plain(multi_line=True),
        ],
    )
    eligibility = TextAreaField(
        _l("Who it is for (optional)"),
        description=_l("For example, people living in Eastbridge aged 18 and over."),
        filters=[one_newline, _strip],
        validators=[
            Optional(),
            MaxLength(TEXT_MAX, _l("Who it is for must be %(max)s characters or fewer")),
            _Plain(multi_line=True),
        ],
    )
    opening_hours = StringField(
        _l("Opening hours (optional)"),
        description=_l("For example, Monday to Friday, 9am to 5pm."),
        filters=[_strip],
        validators=[
            Optional(),
            MaxLength(HOURS_MAX, _l("Opening hours must be %(max)s characters or fewer")),
            _Plain(multi_line=False),
        ],
    )
    referral_email = StringField(
        _l("Email address for referrals"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the email address for referrals")),
            MaxLength(320, _l("Email address must be %(max)s characters or fewer")),
            Email(
                message=_l("Enter an email address in the correct format, like name@example.com"),
                check_deliverability=False,
            ),
        ],
    )


CAPACITY_CHOICES = [
    Option(Capacity.ACCEPTING.value, _l("Accepting referrals")),
    Option(
        Capacity.WAITING_LIST.value,
        _l("Waiting list"),
        hint=_l("New referrals are taken, but people wait before you can help them."),
    ),
    Option(Capacity.NOT_ACCEPTING.value, _l("Not accepting referrals now")),
]


class CapacityForm(FlaskForm):
    capacity = RadioField(
        _l("Can you take new referrals?"),
        choices=CAPACITY_CHOICES,
        validators=[
            DataRequired(message=_l("Select whether you can take new referrals")),
            AnyOf(
                [choice.value for choice in CAPACITY_CHOICES],
                message=_l("Select whether you can take new referrals"),
            ),
        ],
        validate_choice=False,
    )
    wait_weeks = StringField(
        _l("About how many weeks do people wait? (optional)"),
        description=_l("Only if you have a waiting list. For example, 6."),
        filters=[ascii_digits],
    )

    def validate_wait_weeks(self, field: StringField) -> None:
        if self.capacity.data != Capacity.WAITING_LIST.value or not field.data:
            return
        if not str(field.data).isdigit():
            raise ValidationError(str(_l("Enter the wait as a whole number of weeks, like 6")))
        if not 1 <= int(field.data) <= WAIT_WEEKS_MAX:
            raise ValidationError(
                str(_l("The wait must be between 1 and %(max)s weeks")) % {"max": WAIT_WEEKS_MAX}
            )

    @property
    def weeks(self) -> int | None:
        data = str(self.wait_weeks.data or "")
        return int(data) if data.isdigit() else None


class ApproveForm(FlaskForm):
    # The listing's state the page showed: approving checks the listing is still so.
    seen = HiddenField(validators=[DataRequired()])


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Why are you not approving it?"),
        description=_l("The organisation reads this. Say what they need to change."),
        filters=[one_newline, _strip],
        validators=[
            DataRequired(message=_l("Enter why you are not approving the change")),
            MaxLength(REASON_MAX, _l("The reason must be %(max)s characters or fewer")),
        ],
    )

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from jinja2.filters import do_truncate
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from passport import taxonomy
from passport.forms import Form, MaxLength, Option, choices, one_newline
from passport.referrals.lifecycle import Outcome
from passport.referrals.service import (
    DEFAULT_SHARE_DAYS,
    MESSAGE_MAX,
    OUTCOME_NAMES,
    REASON_MAX,
    SHARE_PERIODS,
    share_period,
)

if TYPE_CHECKING:
    from passport.needs.service import About, NeedView

# How much of the stories in a part of the passport its option shows.
STORIES_SHOWN = 120


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
            MaxLength(MESSAGE_MAX, _l("Your message must be %(max)s characters or fewer")),
        ],
    )
    share_days = RadioField(
        _l("How long can they see it?"),
        choices=choices((str(days), LazyString(share_period, days)) for days in SHARE_PERIODS),
        default=str(DEFAULT_SHARE_DAYS),
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


def section_options(sections: list[str], about: About, needs: list[NeedView]) -> list[Option]:
    """The parts of the passport to choose from, each with a hint of what it holds: how to
    contact them, or the start of their own words about that need."""
    options = []
    for code in sections:
        if code == taxonomy.ABOUT_SECTION:
            hint = (
                _l("You have not added your details yet")
                if about.is_empty()
                else _l("Your name and how to contact you")
            )
            options.append(Option(code, taxonomy.section_name(code), hint=hint))
        else:
            stories = " ".join(need.story for need in needs if need.category == code)
            # Cut as the templates' `truncate` filter cuts: at a word, with "...".
            shown = do_truncate(current_app.jinja_env, stories, STORIES_SHOWN)
            options.append(Option(code, taxonomy.section_name(code), hint=shown, own_words=True))
    return options


# Working a referral: the organisation's forms (by its share link today, its inbox later) and
# the resident's. Each move that carries words has a form; what was typed comes back on error.


class HoldForm(Form):
    reason = TextAreaField(
        _l("Why are you putting this referral on hold?"),
        description=_l(
            "The person will read this. Say what you are waiting for and, if you can, when "
            "you expect to carry on."
        ),
        filters=[one_newline],
        validators=[
            DataRequired(message=_l("Enter why you are putting this referral on hold")),
            MaxLength(REASON_MAX, _l("The reason must be %(max)s characters or fewer")),
        ],
    )


class CompleteForm(Form):
    outcome = RadioField(
        _l("What was the outcome?"),
        choices=choices((outcome.value, OUTCOME_NAMES[outcome]) for outcome in Outcome),
        validators=[
            DataRequired(message=_l("Select the outcome")),
            AnyOf([outcome.value for outcome in Outcome], message=_l("Select the outcome")),
        ],
        validate_choice=False,
    )
    details = TextAreaField(
        _l("Anything else the person should know (optional)"),
        description=_l("The person will read this."),
        filters=[one_newline],
        validators=[
            Optional(),
            MaxLength(REASON_MAX, _l("This must be %(max)s characters or fewer")),
        ],
    )


class MessageForm(Form):
    body = TextAreaField(
        _l("Your message"),
        filters=[one_newline],
        validators=[
            DataRequired(message=_l("Enter your message")),
            MaxLength(MESSAGE_MAX, _l("Your message must be %(max)s characters or fewer")),
        ],
    )


class WithdrawForm(Form):
    reason = TextAreaField(
        _l("Why are you withdrawing it? (optional)"),
        description=_l("The organisation will not see this if they have not opened it yet."),
        filters=[one_newline],
        validators=[
            Optional(),
            MaxLength(REASON_MAX, _l("The reason must be %(max)s characters or fewer")),
        ],
    )


# The fields whose words a person typed: shown back to them, for copying, when the referral
# moved on before their form arrived.
TYPED_FIELDS = ("reason", "details", "body")


def typed_words() -> list[str]:
    """What this request's form carried in words, to show back (never stored)."""
    return [value for name in TYPED_FIELDS if (value := request.form.get(name, "").strip())]

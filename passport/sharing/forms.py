"""The resident's changes to a share: what it shows, and for how long."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectMultipleField
from wtforms.validators import AnyOf, DataRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from passport import taxonomy
from passport.forms import Form, Option, choices
from passport.sharing.service import DEFAULT_SHARE_DAYS, SHARE_PERIODS, share_period

CHANGED = _l("This share has changed since you opened this page. Check it and try again.")


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ShareChangeForm(Form):
    # The share as the page showed it: a change to a share changed since is refused (the
    # view says so on the question's own field, so the error leads somewhere).
    version = HiddenField()

    def shown_version(self) -> int:
        value = self.version.data or ""
        return int(value) if value.isdigit() and len(value) < 10 else -1


class SectionsForm(ShareChangeForm):
    sections = CheckboxesField(
        _l("Which parts of your passport can they see?"),
        description=_l(
            "Select all that apply. From the next time they open your passport, they will "
            "see these parts and no others."
        ),
        validate_choice=False,
    )

    def validate_sections(self, field: CheckboxesField) -> None:
        allowed = {choice.value for choice in field.choices or []}
        field.data = [value for value in field.data or [] if value in allowed]
        if not field.data:
            raise ValidationError(
                _l(
                    "Select at least one part of your passport to share. To share nothing, "
                    "stop sharing instead."
                )
            )


class PeriodForm(ShareChangeForm):
    share_days = RadioField(
        _l("How long from today can they see it?"),
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


def section_options(sections: list[str]) -> list[Option]:
    return [Option(code, taxonomy.section_name(code)) for code in sections]

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, SelectMultipleField, StringField
from wtforms.validators import Optional, ValidationError

from passport import taxonomy
from passport.directory import postcodes
from passport.directory.service import QUERY_MAX
from passport.forms import MaxLength, Option, choices

# People think in miles: miles in the form and the address, metres for the search.
MILES = ("1", "3", "5", "10", "25")
METRES_IN_A_MILE = 1609.344


class SearchForm(FlaskForm):
    """Every filter of the directory search, read from the address (a plain GET form): a
    search can be shared, and works without JavaScript. A choice the form does not offer
    (an old link, a hand-made address) is ignored rather than refused."""

    class Meta:
        csrf = False  # a search changes nothing: a plain GET form

    q = StringField(
        _l("Search for a service"),
        validators=[
            Optional(),
            MaxLength(QUERY_MAX, _l("Search words must be %(max)s characters or fewer")),
        ],
    )
    category = SelectField(_l("Type of help"), validators=[Optional()], validate_choice=False)
    postcode = StringField(
        _l("Postcode"),
        description=_l("To find services near you, and how far away they are"),
        # No length limit of its own: anything that is not a whole postcode is refused as one.
        validators=[Optional()],
    )
    distance = SelectField(_l("Distance"), validators=[Optional()], validate_choice=False)
    only = SelectMultipleField(
        _l("Show only services that are"), validators=[Optional()], validate_choice=False
    )
    delivery = SelectMultipleField(
        _l("How it is delivered"), validators=[Optional()], validate_choice=False
    )
    language = SelectField(_l("Language spoken"), validators=[Optional()], validate_choice=False)
    sort = SelectField(_l("Sort by"), validators=[Optional()], validate_choice=False)

    def __init__(self, *args: Any, languages: list[tuple[str, str]], **kwargs: Any) -> None:
        """`languages`: (ISO 639 code, name in the page's language) of those in the directory."""
        super().__init__(*args, **kwargs)
        self.category.choices = choices(
            [("", _l("Any type of help"))] + [(c.code, c.name) for c in taxonomy.CATEGORIES]
        )
        within = [
            (miles, ngettext("Within %(num)s mile", "Within %(num)s miles", int(miles)))
            for miles in MILES
        ]
        self.distance.choices = choices([("", _l("Any distance")), *within])
        self.only.choices = [
            Option("free", _l("Free")),
            Option("open_now", _l("Open now")),
            Option(
                "accepting",
                _l("Accepting referrals"),
                hint=_l("Includes services with a waiting list"),
            ),
        ]
        self.delivery.choices = choices(
            [("in_person", _l("In person")), ("phone", _l("By phone")), ("online", _l("Online"))]
        )
        self.language.choices = choices([("", _l("Any language")), *languages])
        self.sort.choices = choices(
            [("relevance", _l("Most relevant")), ("distance", _l("Nearest first"))]
        )
        self.near: tuple[float, float] | None = None
        self.postcode_found = ""

    def validate_postcode(self, field: Field) -> None:
        """A postcode must be whole and one we know: a search near an unknown place would
        look like 'nothing near you'."""
        text = (field.data or "").strip()
        if not text:
            return
        normalised = postcodes.normalise(text)
        if normalised is None:
            raise ValidationError(_("Enter a full postcode, like EB1 2AB"))
        found = postcodes.lookup(normalised)
        if found is None and not postcodes.any_loaded():
            current_app.logger.warning(
                "Postcode search asked for, but no postcodes are loaded: run "
                "'passport directory postcodes import' with the ONS Postcode Directory."
            )
            raise ValidationError(
                _(
                    "Searching by postcode is not available yet. Search without a postcode, "
                    "or try again later"
                )
            )
        if found is None:
            raise ValidationError(
                _(
                    "We cannot find the postcode %(postcode)s. Check it and try again, or "
                    "enter a postcode nearby",
                    postcode=normalised,
                )
            )
        self.near = (found.latitude, found.longitude)
        self.postcode_found = normalised

    # What was asked for, with anything the form does not offer left out

    def chosen(self, field: SelectField) -> str:
        offered = {choice.value for choice in field.choices or ()}
        return field.data if field.data in offered else ""

    def ticked(self, field: SelectMultipleField) -> list[str]:
        offered = [choice.value for choice in field.choices or ()]
        return [value for value in offered if value in (field.data or [])]

    @property
    def within_metres(self) -> int | None:
        miles = self.chosen(self.distance)
        return round(int(miles) * METRES_IN_A_MILE) if miles and self.near else None

    @property
    def by_distance(self) -> bool:
        return self.chosen(self.sort) == "distance"

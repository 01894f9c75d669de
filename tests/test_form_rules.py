"""Rules that forms share, each written once in Python: a field's length limit (its MaxLength
validator, which the error message and the hint under a text box both read) and a choice's
hint (it comes with the choice, never from a dictionary built in a template)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest
from bs4 import BeautifulSoup
from flask import Flask, render_template_string
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import passport
from passport.forms import MaxLength, Option
from passport.needs.forms import NeedForm
from tests.support import journeys, pages
from tests.support.journeys import post_form


def form_classes() -> list[type[FlaskForm]]:
    """Every form the app has: each `forms` module in the package, found by walking it."""
    for module in pkgutil.walk_packages(passport.__path__, "passport."):
        if module.name.rsplit(".", 1)[-1] == "forms":
            importlib.import_module(module.name)
    found: set[type[FlaskForm]] = set()
    pending = list(FlaskForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("passport."):
            found.add(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def length_limits() -> list[tuple[str, Length]]:
    limits = []
    for cls in form_classes():
        for name, field in inspect.getmembers(cls, lambda m: isinstance(m, UnboundField)):
            for validator in field.kwargs.get("validators", ()):
                if isinstance(validator, Length):
                    limits.append((f"{cls.__name__}.{name}", validator))
    return limits


def test_the_walk_finds_the_forms_with_limits():
    # Guards the test below: a walk that found nothing would pass it.
    names = {name for name, _ in length_limits()}
    assert {
        "NeedForm.story",
        "AboutForm.name",
        "AboutForm.access_needs",
        "ReferralForm.message",
        "DeclineForm.reason",
        "SearchForm.q",
        "EmailForm.email",
    } <= names


def test_every_length_limit_is_written_once_in_its_validator():
    for name, validator in length_limits():
        assert isinstance(validator, MaxLength), name
        # The number comes from the validator, formatted for the reader; never typed in.
        assert "%(max)s" in str(validator.message), name
        assert not re.search(r"[0-9]", str(validator.message)), name


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Your words must be 5,000 characters or fewer"),
        # A language that groups thousands with a dot writes the same limit its own way.
        ("de", "Your words must be 5.000 characters or fewer"),
    ],
)
def test_a_limit_in_a_message_is_written_as_the_reader_writes_numbers(
    app: Flask, locale: str, expected: str
):
    with app.test_request_context(), force_locale(locale):
        form = NeedForm(meta={"csrf": False}, data={"category": "housing", "story": "x" * 5001})
        assert not form.validate()
        assert form.story.errors == [expected]


class Limited(FlaskForm):
    class Meta:
        csrf = False

    words = TextAreaField("Your words", validators=[MaxLength(1234, _l("At most %(max)s"))])
    kind = RadioField(
        "Kind",
        choices=[
            Option("plain", "Plain", hint="A hint we wrote"),
            Option("theirs", "Theirs", hint="Words they wrote", own_words=True),
            Option("bare", "Bare"),
        ],
    )


TEXTAREA = '{% from "macros/forms.html" import textarea %}{{ textarea(form.words, **options) }}'
RADIOS = '{% from "macros/forms.html" import radios %}{{ radios(form.kind) }}'


def test_the_hint_under_a_text_box_reads_the_limit_from_its_field(app: Flask):
    with app.test_request_context():
        shown = render_template_string(TEXTAREA, form=Limited(), options={"show_limit": True})
        hidden = render_template_string(TEXTAREA, form=Limited(), options={})
    assert "You can enter up to 1,234 characters." in shown
    assert "You can enter up to" not in hidden


def test_a_choice_brings_its_own_hint(app: Flask):
    with app.test_request_context():
        html = render_template_string(RADIOS, form=Limited())
    soup = BeautifulSoup(html, "html.parser")
    plain, theirs, bare = soup.select("input[type=radio]")
    assert soup.select_one(f"#{plain['aria-describedby']}").get_text(strip=True) == (
        "A hint we wrote"
    )
    # Words a person wrote keep their own direction, as everywhere else.
    written = soup.select_one(f"#{theirs['aria-describedby']} span.np-story[dir=auto]")
    assert written is not None and written.get_text() == "Words they wrote"
    assert not bare.has_attr("aria-describedby")
    assert len(soup.select(".govuk-radios__hint")) == 2


# The pages that use them ----------------------------------------------------------------------


@pytest.fixture
def resident(client, mailbox):
    journeys.sign_up(client, mailbox, "sam@example.net")
    return client


def item_hints(response, name: str) -> dict[str, str]:
    """The hint under each option of a question, by the option's value."""
    soup = pages.soup(response)
    hints = {}
    for option in soup.select(f"input[name={name}]"):
        if option.has_attr("aria-describedby"):
            hint = soup.select_one(f"#{option['aria-describedby']}")
            hints[str(option["value"])] = hint.get_text(strip=True)
    return hints


def test_each_kind_of_need_says_what_it_covers(resident):
    form = resident.get("/passport/needs/new")
    hints = item_hints(form, "category")
    assert hints["housing"] == "Somewhere safe and stable to live"
    assert hints["domestic_abuse"] == (
        "Someone close to you hurting, threatening or controlling you"
    )
    assert len(hints) == 8
    assert "You can enter up to 5,000 characters." in pages.text(form)


def test_each_part_of_the_passport_offered_to_share_says_what_it_holds(resident, demo_directory):
    long_story = "Rent arrears " * 20
    journeys.add_need(resident, "money", long_story)
    refer = "/directory/services/debt-advice-drop-in/refer"

    form = journeys.open_referral_form(resident, "debt-advice-drop-in")
    hints = item_hints(form, "sections")
    assert hints["about"] == "You have not added your details yet"
    # The start of their own words, cut at a word, in their own direction.
    assert hints["money"] == ("Rent arrears " * 9).strip() + "..."
    story = pages.soup(form).select_one("#sections-2-item-hint span.np-story[dir=auto]")
    assert story is not None
    # Pre-filled: 'About you' and the needs this service helps with.
    assert pages.checked_values(form, "sections") == ["about", "money"]
    assert pages.checked_values(form, "share_days") == ["90"]
    assert "You can enter up to 2,000 characters." in pages.text(form)

    journeys.add_about(resident, name="Sam", phone="01632 960 001")
    assert item_hints(resident.get(refer), "sections")["about"] == (
        "Your name and how to contact you"
    )


def test_a_message_over_the_limit_says_the_limit(resident, demo_directory):
    refer = "/directory/services/debt-advice-drop-in/refer"
    journeys.answer_questions(resident, "debt-advice-drop-in")  # its age question comes first
    response = post_form(
        resident, refer, {"sections": ["about"], "message": "m" * 2001, "share_days": "90"}
    )
    assert pages.field_error(response, "message") == (
        "Your message must be 2,000 characters or fewer"
    )

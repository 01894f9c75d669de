"""The passport itself: needs added, changed and removed, and the 'about you' details."""

from __future__ import annotations

import re

import pytest

from tests.support import journeys, pages
from tests.support.journeys import post_form

HOUSING_STORY = "My landlord has given me two months' notice & I have nowhere to go."
ABUSE_STORY = "My partner checks my phone and takes my wages."


@pytest.fixture
def resident(client, mailbox):
    journeys.sign_up(client, mailbox, "sam@example.net")
    return client


def need_links(response) -> dict[str, str]:
    """The Change and Remove links on the passport page, by their full link text."""
    return {
        text: href
        for text, href in pages.links(response)
        if re.match(r"/passport/needs/[0-9a-f-]{36}/(edit|delete)$", href)
    }


def needs_listed(response) -> list[tuple[str, str]]:
    """(category, story) for each need on the passport page."""
    rows = pages.soup(response).select("main .govuk-summary-list__row")
    listed = []
    for row in rows:
        key, value = row.find("dt"), row.find("dd", class_="np-story")
        if key and value and row.find("a", href=re.compile("/edit$")):
            listed.append((key.get_text(strip=True), value.get_text(strip=True)))
    return listed


# Add, see, change, remove ---------------------------------------------------------------------


def test_a_new_passport_is_empty(resident):
    page = resident.get("/passport")
    assert needs_listed(page) == []
    assert "You have not added anything yet" in pages.text(page)
    assert "Nobody has looked at your passport yet." in pages.text(page)


def test_add_a_need_and_see_it_on_the_passport(resident):
    form = resident.get("/passport/needs/new")
    assert pages.heading(form) == "Add something you need help with"
    assert pages.checked_values(form, "category") == []

    added = journeys.add_need(resident, "housing", HOUSING_STORY)
    assert added.status_code == 302
    assert added.headers["Location"] == "/passport"

    page = resident.get("/passport")
    assert pages.flash_messages(page) == ["Your need has been added to your passport."]
    assert needs_listed(page) == [("Housing", HOUSING_STORY)]
    assert "You have not added anything yet" not in pages.text(page)


def test_several_needs_are_listed_in_the_order_they_were_added(resident, frozen_clock):
    journeys.add_need(resident, "money", "Behind on council tax.")
    frozen_clock.advance(minutes=1)
    journeys.add_need(resident, "food", "Skipping meals so the children can eat.")
    assert needs_listed(resident.get("/passport")) == [
        ("Money and debt", "Behind on council tax."),
        ("Food", "Skipping meals so the children can eat."),
    ]


def test_change_a_need(resident):
    journeys.add_need(resident, "housing", HOUSING_STORY)
    links = need_links(resident.get("/passport"))
    edit = links["Change Housing"]

    form = resident.get(edit)
    assert pages.heading(form) == "Change what you need help with"
    assert pages.checked_values(form, "category") == ["housing"]
    assert pages.field_value(form, "story") == HOUSING_STORY

    changed = post_form(resident, edit, {"category": "money", "story": "Rent arrears of £900."})
    assert changed.status_code == 302
    page = resident.get("/passport")
    assert pages.flash_messages(page) == ["Your changes have been saved."]
    assert needs_listed(page) == [("Money and debt", "Rent arrears of £900.")]
    assert HOUSING_STORY not in pages.text(page)


def test_remove_a_need_after_confirming(resident):
    journeys.add_need(resident, "housing", HOUSING_STORY)
    journeys.add_need(resident, "food", "Skipping meals.")
    remove = need_links(resident.get("/passport"))["Remove Housing"]

    confirm = resident.get(remove)
    assert confirm.status_code == 200
    assert pages.heading(confirm) == "Remove Housing from your passport?"
    assert HOUSING_STORY in pages.text(confirm)
    assert ("No, keep it", "/passport") in pages.links(confirm)
    assert needs_listed(resident.get("/passport")) == [
        ("Housing", HOUSING_STORY),
        ("Food", "Skipping meals."),
    ], "showing the confirmation page removed the need"

    removed = post_form(resident, remove, {})
    assert removed.status_code == 302
    page = resident.get("/passport")
    assert pages.flash_messages(page) == ["The need has been removed from your passport."]
    assert needs_listed(page) == [("Food", "Skipping meals.")]
    assert resident.get(remove).status_code == 404
    assert resident.get(remove.replace("/delete", "/edit")).status_code == 404


def test_a_story_is_shown_as_text_not_markup(resident):
    story = '<script>alert("x")</script> <b>bold</b>'
    journeys.add_need(resident, "money", story)
    page = resident.get("/passport")
    assert needs_listed(page) == [("Money and debt", story)]
    assert pages.soup(page).find("b", string="bold") is None


# About you ------------------------------------------------------------------------------------

ABOUT = {
    "name": "Sam Taylor",
    "phone": "07700 900123",
    "email": "sam.contact@example.net",
    "contact_preference": "Text me first, weekday mornings",
    "access_needs": "A Polish interpreter, please.",
}


def test_about_you_details_are_saved_and_shown(resident):
    page = resident.get("/passport")
    assert "Add your details" in pages.text(page)

    saved = journeys.add_about(resident, **ABOUT)
    assert saved.status_code == 302

    page = resident.get("/passport")
    assert pages.flash_messages(page) == ["Your details have been saved."]
    for value in ABOUT.values():
        assert value in pages.text(page)
    assert "Change your details" in pages.text(page)

    form = resident.get("/passport/about")
    for name, value in ABOUT.items():
        assert pages.field_value(form, name) == value


def test_about_you_details_can_be_cleared(resident):
    journeys.add_about(resident, **ABOUT)
    journeys.add_about(resident, **dict.fromkeys(ABOUT, ""))
    page = resident.get("/passport")
    assert "Sam Taylor" not in pages.text(page)
    assert "Add your details" in pages.text(page)


def test_about_you_errors_keep_what_was_typed(resident):
    typed = dict(ABOUT, name="S" * 201)
    response = journeys.add_about(resident, **typed)
    assert response.status_code == 200
    assert pages.title(response).startswith("Error: ")
    assert pages.error_summary_links(response) == [
        ("Your name must be 200 characters or fewer", "#name")
    ]
    for name, value in typed.items():
        assert pages.field_value(response, name) == value
    assert "Sam Taylor" not in pages.text(resident.get("/passport"))


# Validation: a clear error, and nothing typed is lost -----------------------------------------


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"story": HOUSING_STORY},
            [("Select what you need help with", "#category")],
        ),
        (
            {"category": "astrology", "story": HOUSING_STORY},
            [("Select what you need help with", "#category")],
        ),
        (
            {"category": "housing", "story": ""},
            [("Enter what is happening, in your own words", "#story")],
        ),
        (
            {"category": "housing", "story": " \r\n "},
            [("Enter what is happening, in your own words", "#story")],
        ),
        (
            {"category": "housing", "story": "x" * 5001},
            [("Your words must be 5,000 characters or fewer", "#story")],
        ),
        (
            {"story": ""},
            [
                ("Select what you need help with", "#category"),
                ("Enter what is happening, in your own words", "#story"),
            ],
        ),
    ],
)
def test_need_errors_are_clear_and_keep_what_was_typed(resident, data, errors):
    response = post_form(resident, "/passport/needs/new", data)

    assert response.status_code == 200
    assert pages.title(response).startswith("Error: ")
    assert pages.error_summary_links(response) == errors
    for message, href in errors:
        assert pages.field_error(response, href.lstrip("#")) == message
    # A browser shows CR LF and LF alike in a text box, and sends both as CR LF.
    assert pages.field_value(response, "story") == data["story"].replace("\r\n", "\n")
    chosen = data.get("category")
    expected = [chosen] if chosen in ("housing",) else []
    assert pages.checked_values(response, "category") == expected
    assert needs_listed(resident.get("/passport")) == []


def test_a_story_of_5000_characters_is_accepted(resident):
    story = "y" * 5000
    assert journeys.add_need(resident, "money", story).status_code == 302
    assert needs_listed(resident.get("/passport")) == [("Money and debt", story)]


def test_changing_a_need_with_an_error_keeps_the_change_and_the_saved_need(resident):
    journeys.add_need(resident, "housing", HOUSING_STORY)
    edit = need_links(resident.get("/passport"))["Change Housing"]

    response = post_form(resident, edit, {"category": "money", "story": "z" * 5001})
    assert response.status_code == 200
    assert pages.title(response).startswith("Error: ")
    assert pages.checked_values(response, "category") == ["money"]
    assert pages.field_value(response, "story") == "z" * 5001
    assert needs_listed(resident.get("/passport")) == [("Housing", HOUSING_STORY)]


# Exit this page on sensitive topics -----------------------------------------------------------


def test_domestic_abuse_need_pages_show_exit_this_page(resident):
    journeys.add_need(resident, "domestic_abuse", ABUSE_STORY)
    passport = resident.get("/passport")
    assert pages.has_exit_this_page(passport)

    links = need_links(passport)
    for url in (links["Change Domestic abuse"], links["Remove Domestic abuse"]):
        page = resident.get(url)
        assert page.status_code == 200
        assert pages.has_exit_this_page(page), url

    chosen = post_form(resident, "/passport/needs/new", {"category": "domestic_abuse"})
    assert chosen.status_code == 200, "expected the form again, with an error"
    assert pages.has_exit_this_page(chosen)


def test_other_need_pages_show_exit_this_page_only_when_domestic_abuse_is_chosen(resident):
    journeys.add_need(resident, "housing", HOUSING_STORY)
    passport = resident.get("/passport")
    assert pages.exit_this_page(passport) == "none"
    assert pages.exit_this_page(resident.get(need_links(passport)["Remove Housing"])) == "none"

    # The form offers 'Domestic abuse': picking it shows the button (without JavaScript, it is
    # there from the start, before anything is typed).
    links = need_links(passport)
    for url in ("/passport/needs/new", links["Change Housing"]):
        page = resident.get(url)
        assert page.status_code == 200
        assert pages.exit_this_page(page) == "when chosen", url
    chosen = post_form(resident, "/passport/needs/new", {"category": "housing"})
    assert chosen.status_code == 200
    assert pages.exit_this_page(chosen) == "when chosen"


def test_only_the_domestic_abuse_choice_shows_exit_this_page_when_picked(resident):
    form = pages.soup(resident.get("/passport/needs/new"))
    marked = [tag["value"] for tag in form.find_all("input", attrs={"data-sensitive": True})]
    assert marked == ["domestic_abuse"]


def test_exit_this_page_goes_away_when_the_domestic_abuse_need_is_removed(resident):
    journeys.add_need(resident, "domestic_abuse", ABUSE_STORY)
    journeys.add_need(resident, "food", "Skipping meals.")
    remove = need_links(resident.get("/passport"))["Remove Domestic abuse"]
    post_form(resident, remove, {})
    assert not pages.has_exit_this_page(resident.get("/passport"))


def test_a_story_that_starts_with_a_blank_line_comes_back_exactly(resident):
    story = "\nThe first line was left blank on purpose.\nSecond line."
    page = journeys.add_need(resident, "", story)
    assert page.status_code == 200
    assert pages.field_value(page, "story") == story

"""The directory's search page and service page (issue 9): every filter in the address, GOV.UK
pagination that keeps them, htmx fragments, errors that keep what was typed, and a service page
that says where, when, in which languages, at what cost and how to get in touch.

On a small town of listings (tests/support/directory_town.py) that each filter tells apart;
run on SQLite and PostgreSQL like every functional test.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from passport.database import db
from passport.directory.models import Postcode
from tests.support import directory_town, pages
from tests.support.pages.base import Person
from tests.support.pages.directory import DirectoryPage, ServicePage

HTMX = {"HX-Request": "true", "HX-Target": "results"}
TOWN = [listing.name for listing in directory_town.LISTINGS]


@pytest.fixture
def town(app, frozen_clock):
    with app.app_context():
        directory_town.build()


@pytest.fixture
def big_town(app, frozen_clock):
    """The town with 45 more listings in 'Caring for someone': three pages of them."""
    with app.app_context():
        directory_town.build(extra=45)


@pytest.fixture
def person(client, mailbox) -> Person:
    return Person(client, mailbox)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# The form ---------------------------------------------------------------------------------


def test_the_search_form_offers_every_filter(person, town):
    directory = DirectoryPage.open(person)
    assert directory.result_names() == TOWN
    assert directory.options("Distance") == [
        "Any distance",
        "Within 1 mile",
        "Within 3 miles",
        "Within 5 miles",
        "Within 10 miles",
        "Within 25 miles",
    ]
    # Only the languages some service works in, by name, in alphabetical order.
    assert directory.options("Language spoken") == [
        "Any language",
        "English",
        "Polish",
        "Urdu",
        "Welsh",
    ]
    assert directory.options("Sort by") == ["Most relevant", "Nearest first"]
    assert directory.chosen_filters() == {
        "Search for a service": "",
        "Postcode": "",
        "Type of help": "Any type of help",
        "Distance": "Any distance",
        "Language spoken": "Any language",
        "Sort by": "Most relevant",
        "ticked": [],
    }
    for label in ("Free", "Open now", "Accepting referrals", "In person", "By phone", "Online"):
        directory.choose(label)  # each is a box with its label


def test_languages_are_named_in_the_pages_language(client, mailbox, town):
    welsh = DirectoryPage.open(Person(client, mailbox, language="cy"))
    names = welsh.options(welsh.t("Language spoken"))
    assert names[1:] == ["Cymraeg", "Pwyleg", "Saesneg", "Wrdw"]


# Each filter ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "found"),
    [
        ({"type_of_help": "Money and debt"}, ["Alder debt clinic", "Cedar money line"]),
        ({"ticked": ["Free"]}, ["Alder debt clinic", "Birch food bank", "Elm befriending"]),
        # Tuesday 10:14 in London: open on weekdays from nine to five, not on Saturday.
        ({"ticked": ["Open now"]}, ["Alder debt clinic", "Cedar money line", "Elm befriending"]),
        # A waiting list takes referrals too; "not accepting now" does not.
        (
            {"ticked": ["Accepting referrals"]},
            ["Alder debt clinic", "Birch food bank", "Damson skills course", "Elm befriending"],
        ),
        ({"ticked": ["By phone"]}, ["Birch food bank", "Cedar money line"]),
        ({"ticked": ["Online"]}, ["Damson skills course"]),
        # Any of the ways ticked.
        (
            {"ticked": ["By phone", "Online"]},
            ["Birch food bank", "Cedar money line", "Damson skills course"],
        ),
        ({"language_spoken": "Polish"}, ["Birch food bank"]),
        ({"language_spoken": "Welsh"}, ["Alder debt clinic"]),
        (
            {"postcode": "TB1 1AA", "distance": "Within 3 miles"},
            ["Alder debt clinic", "Birch food bank"],
        ),
        ({"postcode": "TB1 1AA", "distance": "Within 1 mile"}, ["Birch food bank"]),
        (
            {"ticked": ["Free", "Open now"], "type_of_help": "Money and debt"},
            ["Alder debt clinic"],
        ),
    ],
)
def test_each_filter_narrows_the_results_and_stays_chosen(person, town, filters, found):
    directory = DirectoryPage.open(person).search_with(**filters)
    assert directory.result_names() == found
    count = len(found)
    assert directory.result_count().startswith(
        f"{count} service found" if count == 1 else f"{count} services found"
    )
    shown = directory.chosen_filters()
    assert shown["ticked"] == filters.get("ticked", [])
    for key, value in filters.items():
        if key == "postcode":
            assert shown["Postcode"] == value
        elif key != "ticked":
            assert shown[key.replace("_", " ").capitalize()] == value
    # The address names every filter: the same address gives the same search.
    person.goto(directory.url)
    assert DirectoryPage(person, directory.category).result_names() == found


def test_a_postcode_shows_how_far_each_service_is_and_sorts_nearest_first(person, town):
    near = DirectoryPage.open(person).search_with(postcode="tb11aa", sort_by="Nearest first")
    # Near a postcode: the services with a place to go (search.find leaves out the rest).
    assert near.result_names() == ["Birch food bank", "Alder debt clinic", "Elm befriending"]
    assert near.distances() == {
        "Alder debt clinic": "2.5 miles away",
        "Birch food bank": "0.5 miles away",
        "Elm befriending": "8.0 miles away",
    }
    assert near.result_count() == "3 services found near TB1 1AA"
    assert near.chosen_filters()["Postcode"] == "tb11aa"  # as typed

    # Nearest first is not name order: the clinic is further than the food bank.
    relevance = near.search_with(sort_by="Most relevant")
    assert relevance.result_names() == ["Alder debt clinic", "Birch food bank", "Elm befriending"]
    assert relevance.distances()["Birch food bank"] == "0.5 miles away"


def test_a_service_at_the_postcode_itself_is_less_than_a_tenth_of_a_mile_away(app, person, town):
    # A postcode whose centroid is the food bank's own place (half a mile north of the centre).
    latitude = directory_town.CENTRE[0] + 0.5 * directory_town.DEGREES_PER_MILE
    with app.app_context():
        db.session.add(Postcode(postcode="TB1 2BB", latitude=latitude, longitude=-0.1))
        db.session.commit()
    near = DirectoryPage.open(person).search_with(postcode="TB1 2BB", sort_by="Nearest first")
    assert near.distances()["Birch food bank"] == "Less than 0.1 miles away"
    assert near.distances()["Alder debt clinic"] == "2.0 miles away"


def test_a_word_typed_wrong_says_what_was_searched_for_instead(person, town):
    found = DirectoryPage.open(person).search_with(words="baliffs")
    assert found.result_names() == ["Alder debt clinic"]
    assert "Nothing matched ‘baliffs’, so we searched for ‘bailiffs’." in found.text()
    exact = found.search_with(words="bailiffs")
    assert exact.result_names() == ["Alder debt clinic"]
    assert "Nothing matched" not in exact.text()


SORT_NOTE = "Enter a postcode to sort by distance. These results are sorted by relevance."
WITHIN_NOTE = (
    "Enter a postcode to find services within a distance. These results are from any distance."
)


def test_distance_without_a_postcode_says_what_the_results_are_instead(person, town):
    directory = DirectoryPage.open(person)
    assert SORT_NOTE not in directory.text() and WITHIN_NOTE not in directory.text()

    by_distance = directory.search_with(sort_by="Nearest first")
    assert by_distance.result_names() == TOWN
    assert SORT_NOTE in by_distance.text() and WITHIN_NOTE not in by_distance.text()
    assert by_distance.distances() == {}
    assert by_distance.chosen_filters()["Sort by"] == "Nearest first"

    within = directory.search_with(distance="Within 1 mile")
    assert within.result_names() == TOWN
    assert WITHIN_NOTE in within.text() and SORT_NOTE not in within.text()
    assert within.chosen_filters()["Distance"] == "Within 1 mile"

    with_postcode = within.search_with(postcode="TB1 1AA", sort_by="Nearest first")
    assert SORT_NOTE not in with_postcode.text() and WITHIN_NOTE not in with_postcode.text()


# Bad input --------------------------------------------------------------------------------


EVERYTHING = {
    "words": "debt",
    "type_of_help": "Money and debt",
    "distance": "Within 5 miles",
    "language_spoken": "Welsh",
    "sort_by": "Nearest first",
    "ticked": ["Free", "Open now", "By phone"],
}


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("TB1", "Enter a full postcode, like EB1 2AB"),
        ("not a postcode", "Enter a full postcode, like EB1 2AB"),
        ("x" * 40, "Enter a full postcode, like EB1 2AB"),
        (
            "TB7 7QQ",
            "We cannot find the postcode TB7 7QQ. Check it and try again, or enter a postcode "
            "nearby",
        ),
    ],
)
def test_a_bad_postcode_is_a_clear_error_that_keeps_everything_chosen(
    person, town, postcode, message
):
    directory = DirectoryPage.open(person).search_with(postcode=postcode, **EVERYTHING)
    assert pages.title(directory.response).startswith("Error: ")
    assert directory.error_summary() == [(message, "#postcode")]
    assert pages.field_error(directory.response, "postcode") == message
    assert directory.result_names() == []  # never an empty list that looks like "none near"
    assert directory.result_count() == "Change your search and try again."
    assert directory.chosen_filters() == {
        "Search for a service": "debt",
        "Postcode": postcode,
        "Type of help": "Money and debt",
        "Distance": "Within 5 miles",
        "Language spoken": "Welsh",
        "Sort by": "Nearest first",
        "ticked": ["Free", "Open now", "By phone"],
    }
    # The filters stay open on a phone, so the error is in view.
    assert directory.main.select_one("details.np-filters").has_attr("open")


def test_a_known_postcode_far_away_finds_nothing_within_the_distance(person, town):
    far = DirectoryPage.open(person).search_with(postcode="TB9 9ZZ", distance="Within 10 miles")
    assert far.error_summary() == []
    assert far.result_names() == []
    assert far.result_count() == "0 services found near TB9 9ZZ"


def test_choices_the_form_does_not_offer_are_ignored(person, town):
    person.goto(
        "/directory?category=astrology&distance=7&language=xx&sort=cheapest"
        "&only=teleport&delivery=pigeon"
    )
    directory = DirectoryPage(person)
    assert directory.error_summary() == []
    assert directory.result_names() == TOWN


# Pagination -------------------------------------------------------------------------------


def test_pagination_links_keep_every_filter(person, big_town):
    first = DirectoryPage.open(person).search_with(
        type_of_help="Caring for someone", ticked=["Accepting referrals"], postcode="TB1 1AA"
    )
    assert first.result_count() == "45 services found near TB1 1AA"
    assert len(first.result_names()) == 20
    assert "Showing 1 to 20 of 45" in first.text()
    filters = {"category": ["caring"], "postcode": ["TB1 1AA"], "only": ["accepting"]}
    assert [(text, query_of(href)) for text, href in first.page_links()] == [
        ("1*", filters),
        ("2", filters | {"page": ["2"]}),
        ("3", filters | {"page": ["3"]}),
        ("Next", filters | {"page": ["2"]}),
    ]

    second = first.next_page()
    assert [text for text, _href in second.page_links()] == ["Previous", "1", "2*", "3", "Next"]
    assert "Showing 21 to 40 of 45" in second.text()
    third = second.next_page()
    assert [text for text, _href in third.page_links()] == ["Previous", "1", "2", "3*"]
    assert len(third.result_names()) == 5
    names = first.result_names() + second.result_names() + third.result_names()
    assert names == [f"Filler group {n:02d}" for n in range(1, 46)]
    # The filters are still chosen on every page.
    assert third.chosen_filters()["Type of help"] == "Caring for someone"
    assert third.chosen_filters()["ticked"] == ["Accepting referrals"]
    assert third.previous_page().result_names() == second.result_names()


def test_long_lists_of_pages_skip_the_middle_with_an_ellipsis(app, person, frozen_clock):
    with app.app_context():
        directory_town.build(extra=120)  # 125 listings: 7 pages
    person.goto("/directory?page=4")
    middle = DirectoryPage(person)
    assert [text for text, _ in middle.page_links()] == [
        "Previous",
        "1",
        "⋯",
        "3",
        "4*",
        "5",
        "⋯",
        "7",
        "Next",
    ]
    person.goto("/directory")
    assert [text for text, _ in DirectoryPage(person).page_links()] == [
        "1*",
        "2",
        "⋯",
        "7",
        "Next",
    ]


@pytest.mark.parametrize(("page", "shown"), [("0", 1), ("-2", 1), ("two", 1), ("99", 3), ("³", 1)])
def test_a_page_number_out_of_range_shows_a_real_page(person, big_town, page, shown):
    person.goto(f"/directory?category=caring&page={page}")
    directory = DirectoryPage(person, "Caring for someone")
    current = [text for text, _ in directory.page_links() if text.endswith("*")]
    assert current == [f"{shown}*"]
    assert directory.result_names()


# htmx -------------------------------------------------------------------------------------


def test_an_htmx_search_returns_the_count_errors_and_results_only(client, town):
    fragment = client.get(
        "/directory", query_string={"only": "free", "postcode": "TB1 1AA"}, headers=HTMX
    )
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "<h1" not in body and 'name="q"' not in body
    soup = pages.soup(fragment)
    names = [" ".join(a.get_text().split()) for a in soup.select(".np-result h2 a")]
    assert names == ["Alder debt clinic", "Birch food bank", "Elm befriending"]
    [status] = soup.select("[role=status]")
    assert (status["id"], status["hx-swap-oob"]) == ("result-count", "innerHTML")
    assert " ".join(status.get_text().split()) == "3 services found near TB1 1AA"
    # The error summary's place is emptied (a mistake just put right leaves no old summary).
    errors = soup.select_one("#search-errors")
    assert errors["hx-swap-oob"] == "true"
    assert errors.select(".govuk-error-summary") == []

    wrong = pages.soup(client.get("/directory", query_string={"postcode": "TB1"}, headers=HTMX))
    summary = wrong.select("#search-errors .govuk-error-summary__list a")
    assert [(a.get_text(strip=True), a["href"]) for a in summary] == [
        ("Enter a full postcode, like EB1 2AB", "#postcode")
    ]
    assert " ".join(wrong.select_one("[role=status]").get_text().split()) == (
        "Change your search and try again."
    )
    assert wrong.select(".np-result") == []


def test_a_search_sent_with_empty_fields_lands_on_a_clean_address(person, town):
    """Without JavaScript the form sends every field, filled or not: the page is at an
    address naming only what was chosen, to share or bookmark, one step in the history."""
    directory = DirectoryPage.open(person).search_with(ticked=["Free"])
    assert directory.url == "/directory?only=free"
    assert len(directory.response.history) == 1  # one redirect, then the page
    assert directory.result_names() == ["Alder debt clinic", "Birch food bank", "Elm befriending"]

    nothing = DirectoryPage.open(person).search_with(ticked=[])
    assert nothing.url == "/directory"

    # A mistake keeps what was typed, in the address and the form.
    wrong = DirectoryPage.open(person).search_with("advice", postcode="TB1")
    assert wrong.url == "/directory?q=advice&postcode=TB1"
    assert wrong.search_box.input_value() == "advice"
    assert wrong.error_summary()


def test_a_clean_address_is_left_alone(client, town):
    response = client.get("/directory", query_string={"q": "debt", "only": "free"})
    assert response.status_code == 200


def test_a_live_update_puts_the_clean_address_in_the_history(client, town):
    sent = {"q": "", "category": "", "postcode": "", "only": "free", "language": ""}
    live = client.get("/directory", query_string=sent, headers=HTMX)
    assert live.status_code == 200
    assert live.headers["HX-Push-Url"] == "/directory?only=free"
    clean = client.get("/directory", query_string={"only": "free"}, headers=HTMX)
    assert "HX-Push-Url" not in clean.headers  # htmx pushes the address it asked for


def test_the_form_asks_htmx_only_when_something_changes(client, town):
    form = pages.soup(client.get("/directory")).select_one("form[role=search]")
    trigger = form["hx-trigger"]
    # Words as typing pauses, the postcode once it is left, every other filter at once;
    # `changed`: the same words again send nothing.
    assert "input changed delay:400ms from:#q" in trigger
    assert "change changed from:#postcode" in trigger
    assert "change from:.np-filter" in trigger
    filters = {
        str(field["name"])
        for wrapper in form.select(".np-filter")
        for field in wrapper.select("[name]")
    }
    assert filters == {"category", "distance", "only", "delivery", "language", "sort"}
    assert (form["method"], form["hx-target"], form["hx-push-url"]) == ("get", "#results", "true")


# Back to search -----------------------------------------------------------------------------


def test_a_service_page_and_its_back_link_carry_every_filter(person, town):
    directory = DirectoryPage.open(person).search_with(
        words="debt",
        type_of_help="Money and debt",
        postcode="TB1 1AA",
        distance="Within 3 miles",
        language_spoken="Welsh",
        sort_by="Nearest first",
        ticked=["Free", "Open now", "In person"],
    )
    assert directory.result_names() == ["Alder debt clinic"]
    searched = query_of(directory.url)
    service = directory.open_service("Alder debt clinic")
    assert query_of(service.url) == searched
    back = service.back_to_search()
    assert query_of(back.url) == searched
    assert back.result_names() == ["Alder debt clinic"]
    assert back.chosen_filters() == directory.chosen_filters()


# The service page ---------------------------------------------------------------------------


def test_the_service_page_says_who_where_when_what_it_costs_and_how_to_get_in_touch(person, town):
    page = ServicePage.open_slug(person, "alder-debt-clinic", "Alder debt clinic")
    summary = page.summary()
    assert summary["Helps with"] == "Money and debt"
    assert summary["Who it is for"] == "Anyone living in Testbridge. People aged 18 and over"
    assert summary["Cost"] == "Free"
    assert summary["Languages"] == "English, Welsh"
    assert summary["How it is delivered"] == "In person"
    assert summary["Area it serves"] == "Testbridge"
    # Tuesday 10:14 in London.
    assert summary["Opening hours"] == (
        "Open now Monday: 9am to 5pm Tuesday: 9am to 5pm Wednesday: 9am to 5pm "
        "Thursday: 9am to 5pm Friday: 9am to 5pm"
    )
    assert page.how_to_get_there() == [
        "Alder Hall 1 Alder Hall Road, Testbridge, TB1 1AA Bus 7 stops outside. "
        "Accessibility: Step-free entrance"
    ]
    assert summary["Phone"] == "01632 960 001 (Advice line)"
    assert summary["Email"] == "help@alder.example"
    assert summary["Website"] == "https://alder.example/clinic"
    assert ("help@alder.example", "mailto:help@alder.example") in pages.links(page.response)
    assert page.capacity() == "Accepting referrals"
    assert "Last reviewed 1 February 2026" in page.text()
    assert page.main.find("a", string="Refer yourself") is not None


def test_opening_hours_are_written_in_govuk_style(client, mailbox, town):
    """'10am to midday', not '10:00 to 12:00' (GOV.UK style); in Welsh too, as GOV.UK Welsh
    writes times."""
    birch = ServicePage.open_slug(Person(client, mailbox), "birch-food-bank", "Birch food bank")
    assert birch.summary()["Opening hours"].endswith("Saturday: 10am to midday")

    welsh = Person(client, mailbox, language="cy")
    alder = ServicePage.open_slug(welsh, "alder-debt-clinic", "Alder debt clinic")
    hours = alder.summary()[alder.t("Opening hours")]
    assert hours.count(alder.t("%(opens)s to %(closes)s", opens="9am", closes="5pm")) == 5
    assert "09:00" not in hours


def test_open_now_follows_the_clock_in_london(person, town, frozen_clock):
    def opening_hours() -> str:
        page = ServicePage.open_slug(person, "alder-debt-clinic", "Alder debt clinic")
        return page.summary()["Opening hours"]

    assert opening_hours().startswith("Open now ")
    frozen_clock.advance(hours=7)  # 17:14 on Tuesday
    assert opening_hours().startswith("Closed now ")
    frozen_clock.advance(days=4, hours=-1)  # Saturday 16:14
    assert opening_hours().startswith("Closed now ")


def test_a_service_with_no_place_or_hours_says_nothing_it_does_not_know(person, town):
    page = ServicePage.open_slug(person, "damson-skills-course", "Damson skills course")
    summary = page.summary()
    assert "Opening hours" not in summary
    assert "Cost" not in summary
    assert summary["How it is delivered"] == "Online"
    assert summary["Languages"] == "Urdu"
    assert page.how_to_get_there() == []
    assert "How to get there" not in page.text()
    # The organisation's phone, when the service names none of its own.
    assert summary["Phone"] == "01632 960 999"


def test_a_service_that_costs_says_so_on_the_results_and_its_page(person, town):
    directory = DirectoryPage.open(person)
    assert "There is a cost" in directory.facts("Cedar money line")
    assert "Free" in directory.facts("Alder debt clinic")
    assert "Free" not in directory.facts("Damson skills course")
    page = ServicePage.open_slug(person, "cedar-money-line", "Cedar money line")
    assert page.summary()["Cost"] == "There is a cost"
    assert page.capacity() == "Not accepting referrals now"


def test_a_service_not_accepting_referrals_says_so_instead_of_offering_one(person, town):
    cedar = ServicePage.open_slug(person, "cedar-money-line", "Cedar money line")
    assert cedar.main.find("a", string="Refer yourself") is None
    assert "This service is not accepting referrals at the moment." in cedar.text()
    alder = ServicePage.open_slug(person, "alder-debt-clinic", "Alder debt clinic")
    assert alder.main.find("a", string="Refer yourself") is not None

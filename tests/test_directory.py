"""The community directory: the demo data, search, service pages, who takes self-referrals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from passport.database import db
from passport.directory import importer
from passport.directory.models import Organisation, Service, ServiceCategory
from passport.referrals.models import Referral
from tests.support import directory_files, journeys, pages

HTMX = {"HX-Request": "true", "HX-Target": "results"}


def result_names(response) -> list[str]:
    return [
        " ".join(link.get_text().split())
        for link in pages.soup(response).select(".np-results .np-result h2 a")
    ]


def result_count(response) -> str:
    found = pages.soup(response).select_one(".np-result-count")
    return " ".join(found.get_text().split()) if found else ""


# The demo directory ---------------------------------------------------------------------------


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_demo_directory_loads_once(app):
    with app.app_context():
        first = importer.load_demo()
    assert (first.organisations_added, first.services_added) == (15, 40)
    assert (count(app, Organisation), count(app, Service)) == (15, 40)
    categories = count(app, ServiceCategory)
    assert categories > 40

    with app.app_context():
        again = importer.load_demo()
    assert (again.organisations_added, again.services_added, again.services_updated) == (0, 0, 0)
    assert (again.organisations_unchanged, again.services_unchanged) == (15, 40)
    assert (count(app, Organisation), count(app, Service)) == (15, 40)
    assert count(app, ServiceCategory) == categories


def test_every_service_is_listed_before_searching(client, demo_directory):
    page = client.get("/directory")
    assert page.status_code == 200
    assert pages.heading(page) == "Find a service"
    assert result_count(page) == "40 services found"
    # Twenty a page (GOV.UK pagination): the second page has the rest, in the same order.
    names = result_names(page) + result_names(client.get("/directory?page=2"))
    assert len(names) == len(set(names)) == 40
    assert names == sorted(names, key=str.casefold)


# Search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bailiffs", ["Debt advice drop-in"]),
        ("BAILIFFS", ["Debt advice drop-in"]),
        ("  bailiffs  ", ["Debt advice drop-in"]),
        # The organisation's name counts: Riverside Befriending Network runs the walk.
        ("befriending", ["Home visit befriending", "Telephone befriending", "Walk and talk group"]),
        # Words, not characters: "drop-in" is "drop in", named first, then described.
        (
            "drop-in",
            [
                "Debt advice drop-in",
                "Digital skills drop-in",
                "Young people's wellbeing drop-in",
                "Wellbeing cafe",
            ],
        ),
        # Every word must match.
        ("advice drop-in", ["Debt advice drop-in"]),
        # The area counts.
        ("marsh end friendship", ["Marsh End friendship club"]),
    ],
)
def test_keyword_search(client, demo_directory, query, expected):
    page = client.get("/directory", query_string={"q": query})
    assert page.status_code == 200
    assert result_names(page) == expected
    service = "service" if len(expected) == 1 else "services"
    assert result_count(page) == f"{len(expected)} {service} found"
    assert pages.field_value(page, "q") == query


@pytest.mark.parametrize(("query", "category"), [("debt", "money"), ("lonely", "loneliness")])
def test_a_word_from_a_category_name_finds_the_services_in_it(
    client, demo_directory, query, category
):
    by_word = result_names(client.get("/directory", query_string={"q": query}))
    by_category = result_names(client.get("/directory", query_string={"category": category}))
    assert len(by_category) > 5
    assert sorted(by_word) == sorted(by_category)


def test_services_named_after_the_words_come_first(client, demo_directory):
    names = result_names(client.get("/directory", query_string={"q": "debt"}))
    assert names[0] == "Debt advice drop-in"
    rest = names[1:]
    assert rest == sorted(rest)
    food = result_names(client.get("/directory", query_string={"q": "food"}))
    named = [name for name in food if "food" in name.lower()]
    assert named and food[: len(named)] == named


def test_category_filter(client, demo_directory):
    page = client.get("/directory", query_string={"category": "domestic_abuse"})
    assert pages.heading(page) == "Find a service: Domestic abuse"
    assert result_names(page) == [
        "Community outreach support",
        "Domestic abuse helpline",
        "Domestic abuse legal advice clinic",
        "Safe refuge accommodation",
    ]
    selected = pages.soup(page).select_one("select#category option[selected]")
    assert selected is not None
    assert selected["value"] == "domestic_abuse"


def test_keyword_and_category_together(client, demo_directory):
    page = client.get("/directory", query_string={"q": "legal", "category": "domestic_abuse"})
    assert result_names(page) == ["Domestic abuse legal advice clinic"]
    assert result_names(client.get("/directory?q=debt&category=food")) == [
        "Community pantry",
        "Cook on a budget course",
        "Crisis support scheme",
        "Emergency food parcels",
    ]
    assert result_names(client.get("/directory?q=telephone&category=food")) == []


def test_an_unknown_category_is_ignored(client, demo_directory):
    page = client.get("/directory", query_string={"q": "bailiffs", "category": "astrology"})
    assert page.status_code == 200
    assert pages.heading(page) == "Find a service"
    assert result_names(page) == ["Debt advice drop-in"]


def test_no_results_says_what_to_try(client, demo_directory):
    page = client.get("/directory", query_string={"q": "trampoline"})
    assert page.status_code == 200
    assert result_names(page) == []
    assert result_count(page) == "0 services found"
    assert "Try fewer or different words, or fewer filters." in pages.text(page)


def test_a_query_over_100_characters_is_an_error_that_keeps_the_query(client, demo_directory):
    query = "bailiffs " + "z" * 92
    page = client.get("/directory", query_string={"q": query})
    assert page.status_code == 200
    assert pages.title(page).startswith("Error: ")
    assert pages.error_summary_links(page) == [
        ("Search words must be 100 characters or fewer", "#q")
    ]
    assert pages.field_value(page, "q") == query
    assert result_names(page) == []
    assert "Change your search and try again." in pages.text(page)

    at_limit = client.get("/directory", query_string={"q": "bailiffs " + "z" * 91})
    assert not pages.title(at_limit).startswith("Error: ")
    assert result_count(at_limit) == "0 services found"


ALL_WILDCARD_SERVICES = [
    "Back\\slash club",
    "Rent help 50% off",
    "Rent help 500 off",
    "Under-score club",
    "Under_score club",
]


@pytest.fixture
def wildcard_services(app, tmp_path):
    """Services whose names differ only where a LIKE wildcard would match anything."""
    names = [
        "Rent help 50% off",
        "Rent help 500 off",
        "Under_score club",
        "Under-score club",
        "Back\\slash club",
    ]
    trust = directory_files.organization("Wildcard Trust")
    services = [directory_files.service(name, description="A test service.") for name in names]
    summary = directory_files.import_records(
        app, tmp_path, directory_files.with_services(trust, *services)
    )
    assert summary.services_added == len(names), summary.problems


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Full-text search reads words: punctuation only separates them, so no character
        # is a wildcard. One or two letters (or digits) typed find the start of a word.
        ("50%", ["Rent help 50% off", "Rent help 500 off"]),
        ("%", ALL_WILDCARD_SERVICES),
        ("under_score", ["Under-score club", "Under_score club"]),
        ("_", ALL_WILDCARD_SERVICES),
        ("back\\slash", ["Back\\slash club"]),
        ("rent help", ["Rent help 50% off", "Rent help 500 off"]),
    ],
)
def test_punctuation_in_a_query_only_separates_words(client, wildcard_services, query, expected):
    page = client.get("/directory", query_string={"q": query})
    assert result_names(page) == expected


# Welsh pages, English directory text ----------------------------------------------------------


def in_welsh(client) -> None:
    client.set_cookie("lang", "cy")


def language_of(tag) -> str:
    """The language a screen reader reads a tag in: its own lang, or its nearest ancestor's."""
    while tag is not None and not tag.get("lang"):
        tag = tag.parent
    return str(tag["lang"]) if tag is not None else ""


def languages_of_text(tag, text: str) -> list[str]:
    """The language of each piece of text inside a tag that contains the text."""
    return [language_of(found.parent) for found in tag.find_all(string=True) if text in found]


@pytest.mark.parametrize("query", ["debt", "dyled", "loneliness", "unigrwydd", "tai"])
def test_a_query_finds_the_same_services_in_english_and_in_welsh(client, demo_directory, query):
    english = result_names(client.get("/directory", query_string={"q": query}))
    in_welsh(client)
    welsh = result_names(client.get("/directory", query_string={"q": query}))
    assert len(english) > 5
    assert welsh == english


@pytest.mark.parametrize(
    ("english", "welsh", "category"),
    [("debt", "dyled", "money"), ("loneliness", "unigrwydd", "loneliness")],
)
def test_a_category_word_in_either_language_finds_the_services_in_it(
    client, demo_directory, english, welsh, category
):
    by_category = sorted(
        result_names(client.get("/directory", query_string={"category": category}))
    )
    for interface in ("en", "cy"):
        client.set_cookie("lang", interface)
        for query in (english, welsh):
            found = result_names(client.get("/directory", query_string={"q": query}))
            assert set(by_category) <= set(found), (interface, query)


def test_directory_text_is_marked_english_on_welsh_pages_only(client, demo_directory):
    search = pages.soup(client.get("/directory", query_string={"q": "bailiffs"}))
    page = pages.soup(client.get("/directory/services/debt-advice-drop-in"))
    for main in (search.select_one("main"), page.select_one("main")):
        assert main.select("[lang]") == []
        assert language_of(main) == "en"

    in_welsh(client)
    search = pages.soup(client.get("/directory", query_string={"q": "bailiffs"}))
    assert language_of(search.select_one("h1")) == "cy"
    [result] = search.select(".np-results .np-result")
    for text in result.select(":scope > h2 a, :scope > p"):  # the listing's own text
        assert language_of(text) == "en", text
    for text in result.select(".np-result__facts li, .np-listing-status p"):  # our words
        assert language_of(text) == "cy", text
    fragment = pages.soup(client.get("/directory", query_string={"q": "bailiffs"}, headers=HTMX))
    assert language_of(fragment.select_one(".np-result h2 a")) == "en"

    page = pages.soup(client.get("/directory/services/debt-advice-drop-in"))
    main = page.select_one("main")
    assert language_of(main.select_one("h1")) == "en"
    assert language_of(main.select_one(".govuk-caption-l")) == "en"
    assert language_of(main.find(string="12 Market Street, Eastbridge, EB1 2AB").parent) == "en"
    # The page's own words stay Welsh.
    assert language_of(main.find(class_="govuk-summary-list__key")) == "cy"
    assert language_of(main.find(class_="govuk-back-link")) == "cy"


def test_a_welsh_referral_marks_the_service_name_english(client, mailbox, demo_directory):
    journeys.sign_up(client, mailbox, "cerys@example.net")
    journeys.add_need(client, "money", "Mae gen i ddyledion.")
    in_welsh(client)
    form = pages.soup(journeys.open_referral_form(client, "debt-advice-drop-in"))
    assert language_of(form.select_one("h1")) == "cy"
    assert languages_of_text(form.select_one("h1"), "Debt advice drop-in") == ["en"]
    path = journeys.refer(client, "debt-advice-drop-in", ["about", "money"])
    detail = pages.soup(client.get(path))
    assert languages_of_text(detail.select_one("main h1"), "Debt advice drop-in") == ["en"]
    assert language_of(detail.select_one(".govuk-caption-l")) == "en"
    listed = pages.soup(client.get("/referrals"))
    assert language_of(listed.find("a", string="Debt advice drop-in")) == "en"


# htmx -----------------------------------------------------------------------------------------


def test_an_htmx_search_returns_only_the_results(client, demo_directory):
    fragment = client.get("/directory", query_string={"q": "bailiffs"}, headers=HTMX)
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert "<html" not in body
    assert "<h1" not in body
    assert 'name="q"' not in body
    assert result_names(fragment) == ["Debt advice drop-in"]
    assert result_count(fragment) == "1 service found"
    assert "HX-Request" in fragment.headers.get("Vary", "")


def status_text(tag) -> str:
    return " ".join(tag.get_text().split())


def test_a_search_announces_the_count_not_the_whole_list(client, demo_directory):
    page = pages.soup(client.get("/directory", query_string={"q": "bailiffs"}))
    results = page.select_one("#results")
    assert results.select(".np-result")
    # No live region over the list: a screen reader would read every result at each keystroke.
    assert page.select("main [aria-live]") == []
    assert results.get("role") is None
    [status] = page.select("main [role=status]")
    assert status_text(status) == "1 service found"
    assert status.find_parent(id="results") is None  # stays in the page while results change
    assert status.select(".np-result") == []

    fragment = pages.soup(client.get("/directory", query_string={"q": "debt"}, headers=HTMX))
    assert fragment.select("[aria-live]") == []
    [update] = fragment.select("[role=status]")
    # htmx puts the new count into the same live region, out of band.
    assert (update["id"], update.get("hx-swap-oob")) == (status["id"], "innerHTML")
    assert status_text(update) == f"{len(fragment.select('.np-result'))} services found"
    assert update.select(".np-result") == []

    error = pages.soup(client.get("/directory", query_string={"q": "x" * 101}, headers=HTMX))
    [update] = error.select("[role=status]")
    assert status_text(update) == "Change your search and try again."


def test_a_normal_search_returns_the_whole_page(client, demo_directory):
    page = client.get("/directory", query_string={"q": "bailiffs"})
    body = page.get_data(as_text=True)
    assert body.lstrip().lower().startswith("<!doctype html")
    assert pages.heading(page) == "Find a service"
    assert result_names(page) == ["Debt advice drop-in"]
    assert "HX-Request" in page.headers.get("Vary", "")
    # An htmx request aimed somewhere else still gets a whole page.
    other = client.get("/directory", query_string={"q": "bailiffs"}, headers={"HX-Request": "true"})
    assert other.get_data(as_text=True).lstrip().lower().startswith("<!doctype html")


def test_an_htmx_search_error_returns_the_results_fragment(client, demo_directory):
    fragment = client.get("/directory", query_string={"q": "x" * 101}, headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Change your search and try again." in pages.text(fragment)


# Service pages --------------------------------------------------------------------------------


def test_a_service_page(client, demo_directory):
    page = client.get("/directory/services/debt-advice-drop-in")
    assert page.status_code == 200
    assert pages.heading(page) == "Debt advice drop-in"
    text = pages.text(page)
    assert "Eastbridge Advice Centre" in text
    assert "Money and debt" in text
    assert "12 Market Street, Eastbridge, EB1 2AB" in text
    assert ("Refer yourself", "/directory/services/debt-advice-drop-in/refer") in pages.links(page)
    assert not pages.has_exit_this_page(page)


def test_a_domestic_abuse_service_page_shows_exit_this_page(client, demo_directory):
    page = client.get("/directory/services/domestic-abuse-helpline")
    assert page.status_code == 200
    assert pages.has_exit_this_page(page)


def test_an_unknown_service_is_not_found(client, demo_directory):
    page = client.get("/directory/services/no-such-service")
    assert page.status_code == 404
    assert pages.heading(page) == "Page not found"


# Back to search ----------------------------------------------------------------------------


def back_link(response) -> str:
    link = pages.soup(response).select_one("a.govuk-back-link")
    assert link is not None and " ".join(link.get_text().split()) == "Back to search"
    return str(link["href"])


def result_links(response) -> dict[str, str]:
    return {
        " ".join(a.get_text().split()): str(a["href"])
        for a in pages.soup(response).select(".np-results .np-result h2 a")
    }


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_back_to_search_returns_to_the_same_search(client, demo_directory, headers):
    search = {"q": "debt", "category": "food"}
    results = client.get("/directory", query_string=search, headers=headers)
    link = result_links(results)["Community pantry"]
    assert link == "/directory/services/community-pantry?q=debt&category=food"

    back = back_link(client.get(link))
    assert back == "/directory?q=debt&category=food"
    assert result_names(client.get(back)) == result_names(results)


def test_back_to_search_keeps_the_words_or_the_type_of_help_alone(client, demo_directory):
    words = result_links(client.get("/directory", query_string={"q": "bailiffs"}))
    assert words["Debt advice drop-in"] == "/directory/services/debt-advice-drop-in?q=bailiffs"
    kind = result_links(client.get("/directory", query_string={"category": "domestic_abuse"}))
    assert kind["Domestic abuse helpline"] == (
        "/directory/services/domestic-abuse-helpline?category=domestic_abuse"
    )
    assert back_link(client.get(kind["Domestic abuse helpline"])) == (
        "/directory?category=domestic_abuse"
    )
    everything = result_links(client.get("/directory"))
    assert everything["Debt advice drop-in"] == "/directory/services/debt-advice-drop-in"
    assert back_link(client.get(everything["Debt advice drop-in"])) == "/directory"


def test_back_to_search_only_ever_goes_to_the_directory(client, demo_directory):
    for query_string, back in [
        ({"q": "debt", "category": "astrology"}, "/directory?q=debt"),
        ({"q": "//evil.example/", "next": "https://evil.example/"}, "/directory?q=//evil.example/"),
        ({"q": "https://evil.example"}, "/directory?q=https://evil.example"),
        ({"q": "x" * 101, "category": "money"}, "/directory"),  # an invalid search is dropped
    ]:
        page = client.get("/directory/services/debt-advice-drop-in", query_string=query_string)
        assert page.status_code == 200
        assert back_link(page) == back, query_string


# Your earlier referral ------------------------------------------------------------------------


def your_referral(response) -> tuple[str, str] | None:
    """The note that you referred yourself here already, and where its link goes."""
    note = pages.soup(response).find(id="your-referral")
    if note is None:
        return None
    return " ".join(note.get_text().split()), str(note.find("a")["href"])


def test_a_service_page_says_you_already_referred_yourself_there(
    client, org_client, mailbox, demo_directory, frozen_clock
):
    service = "/directory/services/debt-advice-drop-in"
    journeys.sign_up(client, mailbox, "sam@example.net")
    journeys.add_need(client, "money", "I owe council tax.")
    assert your_referral(client.get(service)) is None

    draft = journeys.draft_referral(client, "debt-advice-drop-in", ["money"])
    assert your_referral(client.get(service)) is None  # not sent yet

    frozen_clock.advance(days=2)
    journeys.post_form(client, f"{draft}/check", {})
    frozen_clock.advance(days=5)
    assert your_referral(client.get(service)) == (
        "You referred yourself to this service on 5 March 2026. See your referral",
        draft,
    )
    assert your_referral(client.get("/directory/services/benefits-check-and-forms")) is None

    journeys.sign_out(client)
    assert your_referral(client.get(service)) is None
    journeys.sign_up(org_client, mailbox, "alex@example.net")  # someone else
    assert your_referral(org_client.get(service)) is None


def test_the_latest_referral_to_a_service_is_the_one_shown(
    client, mailbox, demo_directory, frozen_clock
):
    service = "/directory/services/debt-advice-drop-in"
    journeys.sign_up(client, mailbox, "sam@example.net")
    first = journeys.refer(client, "debt-advice-drop-in", ["about"])
    journeys.post_form(client, f"{first}/withdraw", {})
    frozen_clock.advance(days=30)
    second = journeys.refer(client, "debt-advice-drop-in", ["about"])
    assert your_referral(client.get(service)) == (
        "You referred yourself to this service on 2 April 2026. See your referral",
        second,
    )


def test_a_service_that_does_not_take_self_referrals(app, client, mailbox, demo_directory):
    slug = "supported-housing-for-young-people"
    page = client.get(f"/directory/services/{slug}")
    assert page.status_code == 200
    assert "Refer yourself" not in pages.text(page)
    assert not any(href.endswith("/refer") for _, href in pages.links(page))
    assert "This service does not take referrals from the public." in pages.text(page)

    journeys.sign_up(client, mailbox, "sam@example.net")
    journeys.add_need(client, "housing", "I am 19 and sofa surfing.")
    refused = client.get(f"/directory/services/{slug}/refer")
    assert refused.status_code == 409
    assert pages.heading(refused) == (
        "You cannot refer yourself to Supported housing for young people"
    )
    assert "only takes referrals from professionals" in pages.text(refused)

    posted = client.post(
        f"/directory/services/{slug}/refer",
        data={
            "csrf_token": pages.csrf_token(refused),
            "sections": ["about", "housing"],
            "share_days": "90",
        },
    )
    assert posted.status_code == 409
    assert count(app, Referral) == 0

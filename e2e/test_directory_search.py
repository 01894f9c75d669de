"""Finding the right service in the demo town (issue 9): filters, GOV.UK pagination that keeps
them, live results whose count is announced, the service page, and bad input that keeps what
was chosen; on a desktop and a 320 px phone, with JavaScript and without. Every page is checked
by axe (WCAG 2.2 AA with target size) on arrival, and again after each live update."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext, expect

from e2e.conftest import LiveServer, People
from e2e.pages import DirectoryPage, ServicePage

PHONE = {"width": 320, "height": 640}
JAVASCRIPT = pytest.mark.parametrize(
    "javascript", [True, False], ids=["javascript", "no-javascript"]
)
DEBT_ADVICE = "Debt advice drop-in"


@pytest.fixture
def phone_people(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> Iterator[People]:
    crowd = People(new_context, live_server, viewport=PHONE)
    yield crowd
    crowd.check_everyone()


def found(directory: DirectoryPage) -> int:
    match = re.fullmatch(r"(\d+) services? found(?: near .+)?", directory.result_count())
    assert match, directory.result_count()
    return int(match.group(1))


def search_journey(directory: DirectoryPage) -> None:
    """Free services over two pages, the filter kept on each; then Polish speakers, one of
    them opened and back to the same search."""
    free = directory.search_with(ticked=["Free"])
    total = found(free)
    assert total > 20
    first_page = free.result_names()
    assert len(first_page) == 20
    assert [text for text, _href in free.page_links()] == ["1*", "2", "Next"]
    assert all("only=free" in href for _text, href in free.page_links())

    second = free.next_page()
    assert [text for text, _href in second.page_links()] == ["Previous", "1", "2*"]
    assert len(second.result_names()) == total - 20
    assert not set(second.result_names()) & set(first_page)
    assert second.chosen_filters()["ticked"] == ["Free"]
    assert second.previous_page().result_names() == first_page

    polish = DirectoryPage.open(directory.person).search_with(language_spoken="Polish")
    names = polish.result_names()
    assert len(names) == found(polish) > 0
    assert polish.page_links() == []
    service = polish.open_service(names[0])
    assert "Polish" in service.summary()["Languages"]
    back = service.back_to_search()
    assert back.chosen_filters()["Language spoken"] == "Polish"
    assert back.result_names() == names


@JAVASCRIPT
def test_search_with_filters_and_paging_on_a_desktop(people, javascript):
    search_journey(DirectoryPage.open(people(javascript=javascript)))


@JAVASCRIPT
def test_search_with_filters_and_paging_on_a_phone(phone_people, javascript):
    person = phone_people(javascript=javascript)
    directory = DirectoryPage.open(person)
    # The filters fold under "More filters" on a phone, and open with or without JavaScript.
    expect(directory.filters.locator("summary")).to_be_visible()
    expect(directory.main.get_by_label("Postcode")).to_be_hidden()
    directory.open_filters()
    expect(directory.main.get_by_label("Postcode")).to_be_visible()
    person.check_accessibility()
    search_journey(directory)


def test_on_a_desktop_the_filters_are_always_open(people):
    directory = DirectoryPage.open(people())
    expect(directory.filters.locator("summary")).to_be_hidden()
    expect(directory.main.get_by_label("Postcode")).to_be_visible()
    expect(directory.main.get_by_label("Language spoken")).to_be_visible()


def test_live_results_announce_only_the_count(people):
    person = people()
    directory = DirectoryPage.open(person)
    status = directory.status
    expect(status).to_have_count(1)
    assert status.evaluate("node => node.closest('#results')") is None
    assert directory.results.get_attribute("aria-live") is None
    status.evaluate("node => { node.dataset.kept = 'yes'; }")

    polish = directory.search_with(language_spoken="Polish")  # htmx: no reload
    # The same live region (a polite status), with new words: only the count is read out.
    expect(polish.status).to_have_attribute("data-kept", "yes")
    expect(polish.status).to_have_text(
        re.compile(rf"^\s*{len(polish.result_names())} services? found\s*$")
    )

    words = polish.search_as_you_type("advice", expect_service=DEBT_ADVICE)
    expect(words.status).to_have_attribute("data-kept", "yes")
    assert words.chosen_filters()["Language spoken"] == "Polish"

    # A box ticked is enough: no button to press.
    person.page.evaluate("window.npSameDocument = true")
    free = words.tick_as_you_go("Free")
    assert "only=free" in person.page.url and "language=pl" in person.page.url
    expect(free.status).to_have_attribute("data-kept", "yes")
    expect(free.status).to_have_text(
        re.compile(rf"^\s*{len(free.result_names())} services? found\s*$")
    )
    assert person.page.evaluate("window.npSameDocument") is True, "The page reloaded"


@JAVASCRIPT
def test_a_bad_postcode_is_explained_and_nothing_chosen_is_lost(people, javascript):
    person = people(javascript=javascript)
    directory = DirectoryPage.open(person).search_with(
        words="advice", postcode="EB1", language_spoken="Polish", ticked=["Free", "In person"]
    )
    assert directory.error_summary() == [("Enter a full postcode, like EB1 2AB", "#postcode")]
    assert directory.result_count() == "Change your search and try again."
    assert directory.result_names() == []
    assert directory.chosen_filters() == {
        "Search for a service": "advice",
        "Postcode": "EB1",
        "Type of help": "Any type of help",
        "Distance": "Any distance",
        "Language spoken": "Polish",
        "Sort by": "Most relevant",
        "ticked": ["Free", "In person"],
    }
    person.check_accessibility()

    # Put right, the summary goes and the results come back.
    fixed = directory.search_with(words="advice", postcode="", language_spoken="Polish")
    assert fixed.error_summary() == []
    assert fixed.result_names()


@JAVASCRIPT
def test_the_service_page_says_where_when_in_which_languages_and_at_what_cost(people, javascript):
    person = people(javascript=javascript)
    page = ServicePage.open_slug(person, "debt-advice-drop-in", DEBT_ADVICE)
    summary = page.summary()
    assert summary["Helps with"] == "Money and debt"
    assert summary["Languages"] == "English, Polish, Romanian"
    assert summary["Cost"].startswith("Free")
    assert re.match(r"(Open|Closed) now Monday: 9:30am to 1pm", summary["Opening hours"])
    assert page.how_to_get_there()[0].startswith("12 Market Street, Eastbridge, EB1 2AB")
    assert page.capacity() == "Accepting referrals"
    expect(page.main.get_by_text(re.compile(r"^Last reviewed \d+ \w+ \d{4}$"))).to_be_visible()
    expect(page.main.get_by_role("button", name="Refer yourself")).to_be_visible()


@JAVASCRIPT
def test_services_near_a_postcode_nearest_first(people, javascript):
    person = people(javascript=javascript)
    near = DirectoryPage.open(person).search_with(
        postcode="eb1 2ab", distance="Within 1 mile", sort_by="Nearest first"
    )
    assert near.result_count().endswith("found near EB1 2AB")
    names = near.result_names()
    # "Less than 0.1 miles away" for a place at the postcode itself, else "1.0 miles away".
    miles = [float(near.distances()[name].split()[-3]) for name in names]
    assert names and miles == sorted(miles) and miles[-1] <= 1.0
    assert DEBT_ADVICE in names  # at EB1 2AB itself
    assert near.distances()[DEBT_ADVICE] == "Less than 0.1 miles away"
    within_a_mile = found(near)
    everywhere = near.search_with(distance="Any distance")
    assert found(everywhere) > within_a_mile

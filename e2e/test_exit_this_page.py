"""'Exit this page' on sensitive topics: shown when needed, leaves at once, moves nothing."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from e2e import journeys
from e2e.pages import DirectoryPage, PassportPage, ServicePage

EXIT_URL = "https://www.bbc.co.uk/weather"
HELPLINE = "Domestic abuse helpline"
WIDTHS = (1024, 1280)


def test_exit_this_page_leaves_a_domestic_abuse_service_page(people):
    person = people()
    left_for: list[str] = []

    def somewhere_else(route):  # there is no internet here: stand in for the exit site
        left_for.append(route.request.url)
        route.fulfill(
            status=200, content_type="text/html", body="<title>Weather</title><h1>Weather</h1>"
        )

    person.context.route("https://www.bbc.co.uk/**", somewhere_else)

    ordinary = ServicePage.open_slug(person, "debt-advice-drop-in", "Debt advice drop-in")
    assert ordinary.exit_this_page.count() == 0

    directory = DirectoryPage.open(person).search_as_you_type("abuse", HELPLINE)
    helpline = directory.open_service(HELPLINE)
    helpline.exit_this_page.click()
    person.page.wait_for_url(EXIT_URL)
    assert left_for == [EXIT_URL]
    # The sensitive page was replaced in the history: going back skips it.
    person.page.go_back()
    directory = DirectoryPage(person)
    assert "q=abuse" in person.page.url

    # Pressing Shift three times does the same, from anywhere on the page.
    helpline = directory.open_service(HELPLINE)
    for _ in range(3):
        person.page.keyboard.press("Shift")
    person.page.wait_for_url(EXIT_URL)
    assert left_for == [EXIT_URL, EXIT_URL]


def test_picking_domestic_abuse_shows_exit_this_page_at_once(people):
    person = people()
    journeys.sign_up(person, f"jo-{uuid.uuid4().hex[:8]}@example.net")
    for width in WIDTHS:
        person.page.set_viewport_size({"width": width, "height": 800})
        form = PassportPage.open(person).add_something_you_need_help_with()
        expect(form.exit_this_page).to_be_hidden()
        # The copy for browsers without JavaScript stays out of sight: here its text is not markup.
        assert "data-exit-this-page" not in form.page.evaluate("document.body.innerText")
        header = form.header_layout()
        form.choose("Housing")
        expect(form.exit_this_page).to_be_hidden()
        form.choose("Domestic abuse")
        expect(form.exit_this_page).to_be_visible()
        assert form.header_layout() == header
        person.check_accessibility()


def test_without_javascript_the_needs_form_shows_exit_this_page_from_the_start(people):
    person = people(javascript=False)
    journeys.sign_up(person, f"sol-{uuid.uuid4().hex[:8]}@example.net")
    form = PassportPage.open(person).add_something_you_need_help_with()
    expect(form.exit_this_page).to_be_visible()
    leave = form.how_to_leave_quickly()
    assert "National Domestic Abuse Helpline on 0808 2000 247" in leave.text()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_header_keeps_its_layout_when_exit_this_page_shows(people, width):
    person = people()
    person.page.set_viewport_size({"width": width, "height": 800})
    ordinary = ServicePage.open_slug(person, "debt-advice-drop-in", "Debt advice drop-in")
    expect(ordinary.exit_this_page).to_have_count(0)
    without_button = ordinary.header_layout()

    helpline = ServicePage.open_slug(person, "domestic-abuse-helpline", HELPLINE)
    expect(helpline.exit_this_page).to_be_visible()
    assert helpline.header_layout() == without_button


def test_filtering_the_directory_to_domestic_abuse_shows_exit_this_page(people):
    person = people()
    directory = DirectoryPage.open(person)
    expect(directory.exit_this_page).to_have_count(0)
    directory.filter_as_you_choose("Domestic abuse")
    expect(directory.exit_this_page).to_be_visible()
    directory.filter_as_you_choose("Food")
    expect(directory.exit_this_page).to_have_count(0)

"""'Exit this page' on sensitive topics leaves the site at once and out of the history."""

from __future__ import annotations

from e2e.pages import DirectoryPage, ServicePage

EXIT_URL = "https://www.bbc.co.uk/weather"
HELPLINE = "Domestic abuse helpline"


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

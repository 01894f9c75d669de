"""Mistakes in the browser: what a person sees, and that nothing they typed is lost."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from e2e import journeys
from e2e.pages import LinkDoesNotWorkPage, PassportPage

ORG_EMAIL = "referrals@eastbridge-foodbank.example.org"
SERVICE = "Emergency food parcels"


def test_an_empty_need_shows_the_errors_linked_to_the_fields_and_keeps_what_was_typed(people):
    marker = uuid.uuid4().hex[:8]
    resident = people()
    journeys.sign_up(resident, f"kim-{marker}@example.net")

    form = PassportPage.open(resident).add_something_you_need_help_with()
    form = form.save_with_errors()
    assert resident.page.title().startswith("Error: ")
    assert form.error_summary() == [
        ("Select what you need help with", "#category"),
        ("Enter what is happening, in your own words", "#story"),
    ]
    expect(form.main.locator("[data-error-summary]")).to_be_focused()

    story = f"We have had no food since Friday ({marker})."
    form.story().fill(story)
    form = form.save_with_errors()
    assert form.error_summary() == [("Select what you need help with", "#category")]
    expect(form.story()).to_have_value(story)
    expect(form.story()).to_have_attribute("aria-describedby", "story-hint")
    form.main.get_by_role("link", name="Select what you need help with").click()
    expect(form.main.locator("#category")).to_be_focused()

    form.choose("Food")
    passport = form.save()
    assert passport.needs() == {"Food": story}


def test_a_wrong_code_shows_an_error_and_a_tampered_link_does_not_work(people):
    marker = uuid.uuid4().hex[:8]
    resident = people()
    journeys.sign_up(resident, f"lee-{marker}@example.net")
    journeys.add_need(resident, "Food", f"The cupboards are empty ({marker}).")
    service = journeys.find_service(resident, "food parcel", SERVICE)
    journeys.refer(resident, service, ["About you", "Food"])

    organisation = people()
    link = journeys.share_link(organisation.mailbox, ORG_EMAIL, SERVICE)
    enter = journeys.ask_for_code(organisation, link)
    right = journeys.code_in(journeys.wait_for_mail(organisation.mailbox, ORG_EMAIL, "Your code"))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    enter = enter.enter_wrong_code(wrong)
    message = "The code is not right. You have 4 more tries before you need a new code."
    assert enter.error_summary() == [(message, "#code")]
    assert enter.field_error() == f"Error: {message}"
    enter = enter.enter_wrong_code("12 34")
    assert enter.error_summary() == [("The code must be 6 numbers", "#code")]

    token = link.rsplit("/", 1)[1]
    tampered = link[: -len(token)] + token[:-1] + ("A" if token[-1] != "A" else "B")
    response = organisation.goto(tampered)
    assert response.status == 404
    page = LinkDoesNotWorkPage(organisation)
    assert "Eastbridge Community Food Bank" not in page.text()
    assert marker not in page.text()

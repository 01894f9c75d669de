"""Session limits in a browser (ADR 0030): with JavaScript, the warning opens two minutes
before the idle limit and "Stay signed in" closes it; without, a form sent after the limit
keeps what was typed through signing in again. Pages checked with axe."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from e2e import journeys
from e2e.pages import BasePage, NeedFormPage, PassportPage, SignInLinkPage, SignInPage

STORY = "The boiler broke in November and the landlord has not answered."


class TimedOutPage(BasePage):
    heading = "You have been signed out"


@pytest.fixture
def limits_on(live_server) -> Iterator[None]:
    """The limits are off on the test server (other tests move its clock by days)."""

    def switch(on: bool) -> None:
        request = urllib.request.Request(
            f"{live_server.url}/_testing/session-limits",
            data=json.dumps({"on": on}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response) == {"on": on}

    switch(True)
    yield
    switch(False)


def test_the_warning_opens_before_the_idle_limit_and_staying_closes_it(people, limits_on):
    resident = people(javascript=True)
    resident.page.clock.install()
    passport = journeys.sign_up(resident, f"ro-{uuid.uuid4().hex[:8]}@example.net")
    dialog = resident.page.locator("#session-warning")
    expect(dialog).to_be_hidden()

    resident.page.clock.fast_forward("28:30")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("You will be signed out soon")
    resident.check_accessibility()

    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    PassportPage.open(resident)
    assert passport.page.url.endswith("/passport")


def test_a_form_sent_after_the_limit_comes_back_after_signing_in(people, limits_on, server_clock):
    resident = people(javascript=False)
    email = f"ro-{uuid.uuid4().hex[:8]}@example.net"
    form = journeys.sign_up(resident, email).add_something_you_need_help_with()
    form.choose("Housing")
    form.story().fill(STORY)
    server_clock.advance(minutes=31)
    form.press("Save")

    signed_out = TimedOutPage(resident)
    assert "We have kept what you typed." in signed_out.text()
    assert STORY not in signed_out.text()
    signed_out.follow("Sign in again")
    resident.mailbox.clear()
    SignInPage(resident).email_me_a_sign_in_link(email)
    mail = journeys.wait_for_mail(resident.mailbox, email, "Your sign-in link")
    resident.goto(journeys.link_in(mail, "/sign-in/link/"))
    SignInLinkPage(resident).press("Sign in")
    back = NeedFormPage(resident)
    assert back.story().input_value() == STORY

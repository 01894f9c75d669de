"""A member of staff accepts an invitation and signs in for work, with JavaScript (a passkey)
and without (the e-mailed links); every page checked with axe."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from e2e import journeys
from e2e.conftest import LiveServer
from e2e.pages import Person
from tests.support import server

ORGANISATION = "eastbridge-advice-centre"
JOIN = "Join Eastbridge Advice Centre"


def invite(live_server: LiveServer, email: str, role: str = "staff") -> str:
    """`passport staff invite`, as an operator runs it; returns the e-mailed link."""
    server.run_passport(
        live_server.env, "staff", "invite", "--org", ORGANISATION, "--email", email, "--role", role
    )
    mail = journeys.wait_for_mail(live_server.mailbox, email, "You are invited to Needs Passport")
    return journeys.link_in(mail, "/staff/invitations/")


def arrive_home(person: Person) -> None:
    person.arrive("Your organisations")
    main = person.page.locator("main")
    expect(main).to_contain_text("Eastbridge Advice Centre")
    expect(person.page.locator("header")).to_contain_text("Signed in for work")


def join_with_a_passkey(person: Person, live_server: LiveServer, email: str) -> None:
    """Invited by an operator, the person accepts by making a passkey in their browser."""
    person.add_passkey_authenticator()
    person.goto(invite(live_server, email))
    person.arrive(JOIN)
    person.page.get_by_role("button", name="Create a passkey and accept").click()
    arrive_home(person)


def sign_out(person: Person) -> None:
    person.page.locator("header").get_by_role("button", name="Sign out").click()
    person.arrive("You have signed out")


def test_staff_accept_with_a_passkey_and_sign_in_with_it(people, live_server):
    email = f"sam-{uuid.uuid4().hex[:8]}@example.org"
    worker = people()
    join_with_a_passkey(worker, live_server, email)
    assert len(worker.passkeys()) == 1
    sign_out(worker)

    worker.goto("/staff/sign-in")
    worker.arrive("Sign in for work")
    worker.page.get_by_role("button", name="Sign in with a passkey").click()
    arrive_home(worker)
    # The work session has no passport.
    worker.goto("/passport")
    worker.arrive("You are signed in for work")


def test_staff_accept_and_sign_in_without_javascript(people, live_server):
    email = f"kim-{uuid.uuid4().hex[:8]}@example.org"
    worker = people(javascript=False)
    link = invite(live_server, email, "admin")
    worker.goto(link)
    worker.arrive(JOIN)
    expect(worker.page.get_by_role("button", name="Create a passkey and accept")).to_be_hidden()
    worker.page.get_by_role("button", name="Accept invitation").click()
    arrive_home(worker)
    sign_out(worker)

    # The invitation is spent.
    worker.goto(link)
    worker.arrive("This invitation has already been used")

    worker.goto("/staff/sign-in")
    worker.arrive("Sign in for work")
    worker.page.get_by_label("Email address").fill(email)
    worker.page.get_by_role("button", name="Email me a sign-in link").click()
    worker.arrive("Check your email")
    mail = journeys.wait_for_mail(live_server.mailbox, email, "Your sign-in link for work")
    worker.goto(journeys.link_in(mail, "/staff/sign-in/link/"))
    worker.arrive("Sign in for work")
    worker.page.locator("main").get_by_role("button", name="Sign in").click()
    arrive_home(worker)

    # An admin's team page, with the invite form, without JavaScript.
    worker.page.locator("main").get_by_role("link", name="Team").click()
    worker.arrive("Team")
    expect(worker.page.locator("main")).to_contain_text(email)


def test_staff_remove_and_add_a_passkey_on_their_sign_in_details(people, live_server):
    email = f"lee-{uuid.uuid4().hex[:8]}@example.org"
    worker = people()
    join_with_a_passkey(worker, live_server, email)

    main = worker.page.locator("main")
    main.get_by_role("link", name="Your sign-in details").click()
    worker.arrive("Your sign-in details")
    expect(main.locator("#email-address")).to_have_text(email)
    rows = main.locator("#passkeys .govuk-summary-list__row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Not used to sign in yet")

    # The only passkey may go: an e-mailed link still signs a work account in.
    rows.first.get_by_role("link", name=re.compile("^Remove ")).click()
    worker.arrive("Remove this passkey?")
    expect(main).to_contain_text("It is your only passkey.")
    worker.page.get_by_role("button", name="Yes, remove it").click()
    worker.arrive("Your sign-in details")
    expect(main).to_contain_text("You have not added a passkey.")

    # A new one, made by the browser on this page.
    with worker.page.expect_navigation():
        main.get_by_role("button", name="Add a passkey").click()
    worker.arrive("Your sign-in details")
    expect(worker.page.locator(".govuk-notification-banner")).to_contain_text(
        "Passkey added. You can now use it to sign in."
    )
    expect(rows).to_have_count(1)
    sign_out(worker)
    worker.goto("/staff/sign-in")
    worker.arrive("Sign in for work")
    worker.page.get_by_role("button", name="Sign in with a passkey").click()
    arrive_home(worker)

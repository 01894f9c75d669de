"""An organisation's admin changes a listing's capacity (at once), says it is still correct,
and proposes new words; a directory admin reviews the difference and approves it; a resident
then reads the new words. Without JavaScript; every page checked with axe."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from e2e import journeys
from e2e.conftest import LiveServer
from e2e.pages import Person
from tests.support import server

ORGANISATION = "northfield-homes"
SERVICE = "Home energy advice"
SERVICE_PAGE = "/directory/services/home-energy-advice"


def join(person: Person, live_server: LiveServer, role: str, org: str = "") -> None:
    """Invited by the command (as an operator runs it) and accepted, without a passkey."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    args = ["staff", "invite", "--email", email, "--role", role]
    server.run_passport(live_server.env, *args, *(["--org", org] if org else []))
    mail = journeys.wait_for_mail(live_server.mailbox, email, "You are invited to Needs Passport")
    person.goto(journeys.link_in(mail, "/staff/invitations/"))
    person.page.get_by_role("button", name="Accept invitation").click()
    person.arrive("Your organisations")


def test_an_admin_edits_a_listing_and_a_directory_admin_approves_it(people, live_server):
    words = f"Free advice on energy bills and damp homes. Ask about grants {uuid.uuid4().hex[:6]}."
    admin = people(javascript=False)
    join(admin, live_server, "admin", ORGANISATION)
    admin.page.locator("main").get_by_role("link", name="Services").click()
    admin.arrive("Your services")
    card = admin.page.locator("#service-home-energy-advice")

    card.get_by_role("link", name=f"Change capacity {SERVICE}").click()
    admin.arrive(f"Capacity of {SERVICE}")
    admin.page.get_by_label("Waiting list").check()
    admin.page.get_by_label("About how many weeks do people wait? (optional)").fill("4")
    admin.page.get_by_role("button", name="Save capacity").click()
    admin.arrive("Your services")
    expect(card).to_contain_text("Waiting list, about 4 weeks")

    card.get_by_role("button", name=f"Still correct {SERVICE}").click()
    admin.arrive("Your services")
    expect(card).to_contain_text("Checked by")

    card.get_by_role("link", name=f"Edit listing {SERVICE}").click()
    admin.arrive(f"Edit the listing for {SERVICE}")
    description = admin.page.get_by_label("What the service does")
    description.fill("")
    admin.page.get_by_role("button", name="Send for approval").click()
    admin.arrive(f"Edit the listing for {SERVICE}")  # an error, shown on the page
    expect(admin.page.locator(".govuk-error-summary")).to_contain_text(
        "Enter what the service does"
    )
    description.fill(words)
    admin.page.get_by_role("button", name="Send for approval").click()
    admin.arrive("Waiting for approval")
    expect(admin.page.locator("#changes")).to_contain_text(words)

    director = people(javascript=False)
    join(director, live_server, "directory-admin")
    director.page.locator("main").get_by_role("link", name="Organisations").click()
    director.arrive("Organisations and their admins")
    director.page.get_by_role("link", name=f"Review {SERVICE}").click()
    director.arrive(f"Changes to {SERVICE}")
    expect(director.page.locator("#change-description ins").first).to_be_visible()
    director.page.get_by_role("button", name="Approve", exact=True).click()
    director.arrive("Organisations and their admins")
    expect(director.page.locator("#waiting-for-approval ~ p").first).to_contain_text(
        "No listing changes are waiting for approval."
    )

    resident = people(javascript=False)
    resident.goto(SERVICE_PAGE)
    resident.arrive(SERVICE)
    main = resident.page.locator("main")
    expect(main).to_contain_text(words)
    expect(main).to_contain_text("Waiting list, about 4 weeks")
    expect(main).to_contain_text("Checked by the organisation on")

    admin.goto(f"/staff/{ORGANISATION}/services")
    admin.arrive("Your services")
    expect(card).to_contain_text("Changes approved")

"""Two people in two browsers: a resident refers themself; a member of the organisation's
staff finds it in the inbox, opens it, accepts it and writes; the resident sees both. With
JavaScript and without; every page checked with axe."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from e2e import journeys
from e2e.test_staff import invite

SERVICE = "Debt advice drop-in"
ORGANISATION = "Eastbridge Advice Centre"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_referral_worked_from_the_inbox(people, live_server, javascript):
    story = f"Bailiffs wrote to me {uuid.uuid4().hex[:8]}"
    resident = people(javascript=javascript)
    email = f"res-{uuid.uuid4().hex[:8]}@example.net"
    journeys.sign_up(resident, email)
    journeys.add_need(resident, "Money and debt", story)
    journeys.refer(
        resident, journeys.find_service(resident, "debt", SERVICE), ["About you", "Money and debt"]
    )

    worker = people(javascript=javascript)
    if javascript:
        worker.add_passkey_authenticator()
    worker.goto(invite(live_server, f"w-{uuid.uuid4().hex[:8]}@example.org"))
    worker.arrive(f"Join {ORGANISATION}")
    button = "Create a passkey and accept" if javascript else "Accept invitation"
    worker.page.get_by_role("button", name=button).click()
    worker.arrive("Your organisations")

    worker.page.locator("main").get_by_role("link", name="Referrals").click()
    worker.arrive("Referrals")
    expect(worker.page.locator("#new-referrals")).to_be_visible()  # at least this one
    # Newest first: this resident's referral leads.
    worker.page.locator("#inbox tbody tr").first.get_by_role("link").click()
    worker.arrive(f"Referral for {SERVICE}")
    expect(worker.page.locator("main")).to_contain_text(story)
    worker.page.get_by_role("button", name="Accept referral").click()
    worker.arrive(f"Referral for {SERVICE}")
    expect(worker.page.locator("#status")).to_have_text("Accepted")
    words = f"Come to the drop-in on Tuesday {uuid.uuid4().hex[:6]}"
    worker.page.get_by_label("Your message").fill(words)
    worker.page.get_by_role("button", name="Send message").click()
    worker.arrive(f"Referral for {SERVICE}")
    expect(worker.page.locator("#messages ~ ul")).to_contain_text(words)

    resident.goto("/referrals")
    resident.arrive("Your referrals")
    resident.page.locator("main").get_by_role("link", name=SERVICE).first.click()
    resident.arrive(f"Your referral to {SERVICE}")
    main = resident.page.locator("main")
    expect(main).to_contain_text("Accepted")
    expect(main).to_contain_text(words)
    resident.goto("/passport/looked-at")
    resident.arrive("Who has looked at your passport")
    expect(resident.page.locator("main")).to_contain_text(f"A member of staff at {ORGANISATION}")

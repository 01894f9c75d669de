"""The resident changes what an organisation can see while its page is open, gets a receipt
for each change, then stops sharing: the organisation's next look shows only what is granted
now, then that the link has been withdrawn. With JavaScript on and off; axe on every page."""

from __future__ import annotations

import uuid

import pytest

from e2e import journeys
from e2e.pages import LinkWithdrawnPage, PassportPage, SharedPassportPage, SharedWithPage

ORGANISATION = "Northfield Homes"
ORG_EMAIL = "referrals@northfield-homes.example.org"
SERVICE = "Help to keep your tenancy"


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_resident_narrows_then_stops_a_share_the_organisation_has_open(people, javascript):
    marker = uuid.uuid4().hex[:8]
    email = f"rhys-{marker}@example.net"
    story = f"The landlord wants me out by Friday ({marker})."
    name = f"Rhys {marker}"
    resident = people(javascript=javascript)
    passport = journeys.sign_up(resident, email)
    passport.add_your_details().save_details(name=name, phone="01632 960321")
    journeys.add_need(resident, "Housing", story)
    service = journeys.find_service(resident, "tenancy", SERVICE)
    journeys.refer(resident, service, ["About you", "Housing"])

    organisation = people(javascript=javascript)
    shared = journeys.open_share_as_org(organisation, ORG_EMAIL, SERVICE)
    assert shared.section_headings() == ["About the person", "Housing"]

    # From the passport page to the Shared with page.
    passport = PassportPage.open(resident)
    passport.follow("Change what you share, see what you shared before, and get receipts")
    shares = SharedWithPage(resident)
    (card,) = shares.shared_now()
    assert card.startswith(ORGANISATION)
    assert f"Your referral to {SERVICE}" in card
    assert shares.receipts() == [f"Shared with {ORGANISATION}"]

    # No part chosen: a clear error, nothing changed.
    change = shares.change_what_they_see(ORGANISATION)
    change.choose_sections([])
    change = change.save_with_a_problem(ORGANISATION)
    assert [text for text, _ in change.error_summary()] == [
        "Select at least one part of your passport to share. To share nothing, stop sharing "
        "instead."
    ]
    change.choose_sections(["About you"])
    shares = change.save()
    assert shares.success_banner().endswith(f"{ORGANISATION} can now see only the parts you chose.")

    # The organisation's open page, reloaded: only what is granted now.
    organisation.page.reload()
    shared = SharedPassportPage(organisation, service=SERVICE)
    assert shared.section_headings() == ["About the person"]
    assert story not in shared.text()

    receipt = shares.open_receipt(1)
    assert receipt.what_happened().endswith(f"you changed what {ORGANISATION} can see.")
    assert receipt.details()["Parts of your passport"] == "About you"

    shares = SharedWithPage.open(resident)
    passport = shares.stop_sharing(ORGANISATION).yes_stop_sharing()
    assert passport.success_banner().endswith(f"{ORGANISATION} can no longer see your passport.")

    organisation.page.reload()
    withdrawn = LinkWithdrawnPage(organisation)
    assert story not in withdrawn.text() and name not in withdrawn.text()
    shares = SharedWithPage.open(resident)
    assert shares.shared_now() == []
    (ended,) = shares.shared_before()
    assert "Stopped on" in ended
    assert len(shares.receipts()) == 3

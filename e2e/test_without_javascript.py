"""The same journey with JavaScript off: e-mail link, plain forms, and the organisation accepts,
starts work, puts it on hold, starts again and completes it, the resident seeing each step."""

from __future__ import annotations

import uuid

from e2e import journeys
from e2e.pages import ReferralsPage, SignUpPage

ORG_EMAIL = "referrals@northfield-homes.example.org"
SERVICE = "Help to keep your tenancy"


def test_resident_refers_themself_without_javascript_and_the_organisation_accepts(people):
    marker = uuid.uuid4().hex[:8]
    email = f"alex-{marker}@example.net"
    story = f"I keep falling behind with the rent ({marker})."
    name = f"Alex {marker}"
    resident = people(javascript=False)

    sign_up = SignUpPage.open(resident)
    assert sign_up.main.get_by_role("button", name="Continue with a passkey").is_hidden()
    passport = journeys.sign_up(resident, email)
    passport = passport.add_your_details().save_details(name=name, phone="01632 960999")
    assert passport.success_banner().endswith("Your details have been saved.")
    passport = journeys.add_need(resident, "Housing", story)
    assert passport.needs() == {"Housing": story}

    service = journeys.find_service(resident, "tenancy", SERVICE)
    journeys.refer(resident, service, ["About you", "Housing"], message="Mornings are best.")

    organisation = people(javascript=False)
    shared = journeys.open_share_as_org(organisation, ORG_EMAIL, SERVICE)
    assert shared.section_headings() == ["About the person", "Housing"]
    assert story in shared.text() and name in shared.text()
    assert "Mornings are best." in shared.text()
    accepted = shared.accept_referral(service=SERVICE)
    assert accepted.status() == "Accepted"
    assert accepted.success_banner().endswith(
        "You have accepted the referral. We have told the person."
    )

    referrals = ReferralsPage.open(resident)
    assert referrals.status_of(SERVICE) == "Accepted"
    detail = referrals.open_referral(SERVICE)
    assert detail.status() == "Accepted"
    assert "They have accepted your referral and will contact you." in detail.text()
    update = journeys.wait_for_mail(resident.mailbox, email, "There is an update")
    assert story not in update.body and name not in update.body

    # The organisation works the referral; the resident sees each step (issue 10).
    working = accepted.start_work(service=SERVICE)
    assert working.status() == "In progress"
    reason = f"Waiting for a housing officer ({marker})."
    held = working.put_on_hold().hold_with(reason, service=SERVICE)
    assert held.status() == "On hold"
    detail = ReferralsPage.open(resident).open_referral(SERVICE)
    assert detail.status() == "On hold"
    assert detail.status_reason() == f"Why it is on hold {reason}"
    again = held.start_work(service=SERVICE, again=True)
    assert again.status() == "In progress"
    assert again.timeline()[0].startswith("In progress by your organisation")
    outcome = f"We agreed a plan with your landlord ({marker})."
    done = again.mark_as_completed().complete_with("They got the help they needed", outcome)
    assert "You can no longer see their passport" in done.text()
    detail = ReferralsPage.open(resident).open_referral(SERVICE)
    assert detail.status() == "Completed"
    assert detail.outcome() == f"Outcome They got the help they needed {outcome}"
    updates = journeys.updates_to(resident.mailbox, email, count=5)
    for mail in updates:
        assert reason not in mail.body and outcome not in mail.body and story not in mail.body

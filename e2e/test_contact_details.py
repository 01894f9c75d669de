"""'Add your contact details' from a referral: to 'About you' and back to the same referral,
with everything chosen and typed kept, with JavaScript and without."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from e2e import journeys

SERVICE = "Debt advice drop-in"


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_adding_contact_details_returns_to_the_same_referral(people, javascript):
    marker = uuid.uuid4().hex[:8]
    resident = people(javascript=javascript)
    journeys.sign_up(resident, f"jo-{marker}@example.net")
    journeys.add_need(resident, "Money and debt", f"The bailiffs have written ({marker}).")

    form = journeys.find_service(resident, "debt", SERVICE).refer_yourself()
    form.choose_sections(["About you", "Money and debt"])
    message = f"Mornings are best ({marker})."
    form.message.fill(message)
    form.main.get_by_label(resident.t("6 months"), exact=True).check()

    about = form.add_your_contact_details()
    form = about.save_details_for_referral(SERVICE, phone="01632 960123")
    assert form.success_banner().endswith(resident.t("Your details have been saved."))
    expect(form.message).to_have_value(message)
    expect(form.main.get_by_label(resident.t("6 months"), exact=True)).to_be_checked()
    expect(form.main.get_by_label(resident.t("About you"), exact=True)).to_be_checked()
    expect(form.main.get_by_label(resident.t("Money and debt"), exact=True)).to_be_checked()

    check = form.continue_()
    assert check.no_contact_warning() == ""
    assert check.what_they_can_see() == [resident.t("About you"), resident.t("Money and debt")]
    assert message in check.text()
    check.send_referral()

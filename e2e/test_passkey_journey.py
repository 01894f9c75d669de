"""The whole journey with a passkey: sign up, record needs, refer, the organisation declines."""

from __future__ import annotations

import re
import uuid

from e2e import journeys
from e2e.pages import (
    AccessHistoryPage,
    ConfirmEmailPage,
    DirectoryPage,
    NoLongerAvailablePage,
    PassportPage,
    ReferralsPage,
    SignInPage,
    StartPage,
)

ORGANISATION = "Eastbridge Advice Centre"
ORG_EMAIL = "referrals@eastbridge-advice.example.org"
SERVICE = "Debt advice drop-in"
PERSONAL_PATHS = re.compile(r"^/(passport|share/|referrals)")


def assert_nothing_personal_cached(person) -> None:
    cached = person.cached_paths()
    assert "/offline" in cached, cached  # the worker did cache: this looks in the right place
    assert not [path for path in cached if PERSONAL_PATHS.match(path)], cached


def test_resident_refers_themself_with_a_passkey_and_the_organisation_declines(
    people, mailbox, screenshots
):
    marker = uuid.uuid4().hex[:8]
    email = f"sam-{marker}@example.net"
    housing_story = f"My landlord has given me notice to leave ({marker}-housing)."
    money_story = f"I am behind on council tax ({marker}-money)."
    reason = f"We only see people who live in the town centre ({marker}-reason)."
    resident = people()

    # Sign up with a passkey, then confirm the e-mail address from the mail.
    start = StartPage.open(resident)
    resident.screenshot(screenshots, "start")
    start.create_your_passport()
    journeys.sign_up_with_passkey(resident, email)
    [passkey] = resident.passkeys()
    assert passkey["isResidentCredential"] and passkey["rpId"] == "localhost"
    confirm = journeys.wait_for_mail(mailbox, email, "Confirm your email address")
    resident.goto(journeys.link_in(confirm, "/sign-in/link/"))
    assert ConfirmEmailPage(resident).confirm().email_status() == "Confirmed"

    journeys.add_need(resident, "Housing", housing_story)
    passport = journeys.add_need(resident, "Money and debt", money_story)
    assert passport.needs() == {"Housing": housing_story, "Money and debt": money_story}
    resident.screenshot(screenshots, "passport")

    # Search as you type (htmx), open the service, refer yourself sharing two sections.
    directory = DirectoryPage.open(resident).search_as_you_type("debt", expect_service=SERVICE)
    resident.screenshot(screenshots, "directory-search")
    service = directory.open_service(SERVICE)
    journeys.refer(resident, service, ["About you", "Money and debt"])
    assert_nothing_personal_cached(resident)

    # The organisation, in its own browser, opens the link from its e-mail with a code.
    organisation = people()
    shared = journeys.open_share_as_org(organisation, ORG_EMAIL, SERVICE)
    assert shared.section_headings() == ["About the person", "Money and debt"]
    assert money_story in shared.text()
    assert housing_story not in shared.text()
    accept, decline = shared.reply_buttons()
    assert (accept["y"], accept["height"]) == (decline["y"], decline["height"])  # side by side
    organisation.screenshot(screenshots, "organisation-view")
    declined = shared.decline_referral().decline_with(reason)
    assert "We have told the person." in declined.text()
    assert money_story not in declined.text()
    assert_nothing_personal_cached(organisation)
    # Declining ends the sharing: the link now shows nothing, even in the same browser.
    organisation.page.go_back()
    organisation.page.reload()
    assert money_story not in NoLongerAvailablePage(organisation).text()

    # Back to the resident: the reason in plain words, and an e-mail that says only that.
    referrals = ReferralsPage.open(resident)
    assert referrals.status_of(SERVICE) == "Declined"
    detail = referrals.open_referral(SERVICE)
    assert detail.status() == "Declined"
    assert detail.decline_reason() == f"Why {ORGANISATION} cannot help {reason}"
    update = journeys.wait_for_mail(mailbox, email, "There is an update")
    for personal in (housing_story, money_story, reason, ORGANISATION, SERVICE, marker):
        assert personal not in update.subject + update.body
    passport = PassportPage.open(resident)
    looked = passport.access_log()
    assert len(looked) == 1, looked  # when it entered the code
    for entry in looked:
        assert re.fullmatch(
            rf"{ORGANISATION} looked at About you, Money and debt for your referral to {SERVICE} "
            rf"on \d+ \w+ \d{{4}} at \d\d:\d\d",
            entry,
        ), entry
    history = AccessHistoryPage.open(resident)
    assert history.access_log() == looked
    assert history.organisations() == [resident.t("All organisations"), ORGANISATION]
    assert history.show_only(ORGANISATION).access_log() == looked
    assert_nothing_personal_cached(resident)

    # Sign out, and back in with the same passkey.
    passport = PassportPage.open(resident)
    passport.sign_out()
    passport = SignInPage.open(resident).sign_in_with_a_passkey()
    assert passport.needs()["Money and debt"] == money_story

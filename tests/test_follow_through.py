"""What the resident and the organisation are promised happens: an e-mail only to an address
that can get one, a prompt to confirm it, a way back after losing a phone, and a referral that
says plainly when it carries no way to contact the person."""

from __future__ import annotations

import pytest

from tests.support import journeys, pages
from tests.support.authenticator import SoftwareAuthenticator

RESIDENT = "sam@example.net"
SERVICE = "debt-advice-drop-in"
ORG_EMAIL = "referrals@eastbridge-advice.example.org"
MONEY_STORY = "I owe £1,200 in council tax and the bailiffs have written."

WILL_EMAIL = "We will email you when they reply."
CANNOT_EMAIL = (
    "We cannot email you when they reply, because you have not confirmed your email address."
)
LINK_SENT = "We have emailed you a link. Open it to confirm your email address."
TOLD = "You have accepted the referral. We have told the person."
NOT_TOLD = "You have accepted the referral. The person will see this when they next sign in."


@pytest.fixture
def passkey_resident(client, mailbox, demo_directory):
    """Signed up with a passkey; has not opened the confirmation link."""
    signed_up = journeys.sign_up_with_passkey(client, SoftwareAuthenticator(), RESIDENT)
    assert signed_up.get_json() == {"ok": True, "redirect": "/passport"}
    journeys.add_need(client, "money", MONEY_STORY)
    mailbox.clear()
    return client


@pytest.fixture
def link_resident(client, mailbox, demo_directory):
    """Signed up with an e-mail link, so the address is confirmed."""
    journeys.sign_up(client, mailbox, RESIDENT)
    journeys.add_need(client, "money", MONEY_STORY)
    mailbox.clear()
    return client


def accept_as_org(org_client, mailbox) -> list[str]:
    """The organisation opens the link, enters its code and accepts; returns its banners."""
    link = journeys.share_link(mailbox, ORG_EMAIL)
    code = journeys.request_code(org_client, link, mailbox, ORG_EMAIL)
    assert journeys.enter_code(org_client, link, code).status_code == 302
    mailbox.clear()
    page = org_client.get(link)
    accepted = org_client.post(f"{link}/accept", data={"csrf_token": pages.csrf_token(page)})
    assert accepted.status_code == 302
    return pages.flash_messages(org_client.get(link))


# 1. Promises of an e-mail ---------------------------------------------------------------------


def test_referral_sent_promises_an_email_only_to_a_confirmed_address(
    app, passkey_resident, mailbox
):
    path = journeys.refer(passkey_resident, SERVICE, ["money"])
    sent = passkey_resident.get(f"{path}/sent")

    text = pages.text(sent)
    assert WILL_EMAIL not in text
    assert CANNOT_EMAIL in text
    assert pages.confirm_email_prompt(sent) == f"{path}/sent"

    asked = journeys.ask_to_confirm_email(passkey_resident, f"{path}/sent")
    assert asked.status_code == 302
    assert asked.headers["Location"] == f"{path}/sent"
    back = passkey_resident.get(asked.headers["Location"])
    assert pages.flash_messages(back) == [LINK_SENT]
    assert "/sign-in/link/" in mailbox.last_to(RESIDENT).body

    confirmed = app.test_client()
    journeys.sign_up(confirmed, mailbox, "alex@example.net")
    path = journeys.refer(confirmed, SERVICE, ["about"])
    sent = confirmed.get(f"{path}/sent")
    assert WILL_EMAIL in pages.text(sent)
    assert CANNOT_EMAIL not in pages.text(sent)
    assert pages.confirm_email_prompt(sent) is None


def test_the_organisation_is_told_the_person_was_emailed_only_when_they_were(
    app, passkey_resident, org_client, mailbox
):
    journeys.refer(passkey_resident, SERVICE, ["money"])
    assert accept_as_org(org_client, mailbox) == [NOT_TOLD]
    assert mailbox.to(RESIDENT) == []

    confirmed = app.test_client()
    journeys.sign_up(confirmed, mailbox, "alex@example.net")
    journeys.refer(confirmed, SERVICE, ["about"])
    assert accept_as_org(org_client, mailbox) == [TOLD]
    assert [m.to for m in mailbox.messages] == ["alex@example.net"]


def test_the_passport_page_asks_to_confirm_the_address_and_comes_back(passkey_resident, mailbox):
    passport = passkey_resident.get("/passport")
    assert pages.confirm_email_prompt(passport) == "/passport"
    assert "Confirm your email address" in pages.text(passport)

    asked = journeys.ask_to_confirm_email(passkey_resident, "/passport")
    assert asked.headers["Location"] == "/passport"
    assert pages.flash_messages(passkey_resident.get("/passport")) == [LINK_SENT]

    # Only back to a page of this site.
    token = pages.csrf_token(passkey_resident.get("/passport"))
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        elsewhere = passkey_resident.post(
            "/account/email/confirm", data={"csrf_token": token, "next": target}
        )
        assert elsewhere.headers["Location"] == "/account", target

    # Opening the link confirms the address; the prompt goes, and replies are promised.
    journeys.sign_in_from_email(passkey_resident, mailbox, RESIDENT)
    assert pages.confirm_email_prompt(passkey_resident.get("/passport")) is None
    path = journeys.refer(passkey_resident, SERVICE, ["money"])
    assert WILL_EMAIL in pages.text(passkey_resident.get(f"{path}/sent"))


def test_the_check_page_asks_to_confirm_before_sending_and_keeps_the_draft(
    passkey_resident, mailbox
):
    path = journeys.draft_referral(passkey_resident, SERVICE, ["money"], "Mornings are best.", "30")
    check = passkey_resident.get(f"{path}/check")
    assert pages.confirm_email_prompt(check) == f"{path}/check"
    assert "so we cannot email you when they reply" in pages.text(check)

    asked = journeys.ask_to_confirm_email(passkey_resident, f"{path}/check")
    assert asked.headers["Location"] == f"{path}/check"
    back = passkey_resident.get(f"{path}/check")
    assert pages.flash_messages(back) == [LINK_SENT]
    assert "Mornings are best." in pages.text(back)
    assert mailbox.to(ORG_EMAIL) == [], "asking to confirm sent the referral"

    journeys.sign_in_from_email(passkey_resident, mailbox, RESIDENT)
    assert pages.confirm_email_prompt(passkey_resident.get(f"{path}/check")) is None


# 1. A way back after losing a phone ------------------------------------------------------------


def test_sign_in_links_to_what_to_do_if_you_lose_your_phone(client):
    sign_in = client.get("/sign-in")
    assert ("If you lose your phone", "/sign-in/lost-phone") in pages.links(sign_in)

    help_page = client.get("/sign-in/lost-phone")
    assert help_page.status_code == 200
    assert pages.heading(help_page) == "If you lose your phone"
    text = pages.text(help_page)
    assert "If you have confirmed your email address" in text
    assert "Sign in with a link we email you." in text
    assert "add a passkey on your new phone or computer" in text
    assert "If you have not confirmed your email address" in text
    assert "You cannot get back into your passport yet." in text
    assert "recovery codes is coming later" in text


def test_sign_in_details_say_how_to_get_back_in_with_a_confirmed_address(link_resident):
    page = link_resident.get("/account")
    section = pages.soup(page).find(id="lost-phone")
    assert section is not None and section.get_text() == "If you lose your phone"
    text = pages.text(page)
    assert "You can still get into your passport: sign in with a link we email you" in text
    assert ("What to do if you lose your phone", "/sign-in/lost-phone") in pages.links(page)


def test_sign_in_details_warn_there_is_no_way_back_without_a_confirmed_address(passkey_resident):
    page = passkey_resident.get("/account")
    text = pages.text(page)
    assert "you cannot get back into your passport yet" in text
    assert "Confirm your email address now" in text
    assert ("What to do if you lose your phone", "/sign-in/lost-phone") in pages.links(page)

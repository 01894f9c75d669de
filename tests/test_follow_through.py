"""What the resident and the organisation are promised happens: an e-mail only to an address
that can get one, a prompt to confirm it, a way back after losing a phone, and a referral that
says plainly when it carries no way to contact the person."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.support import journeys, pages
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.journeys import post_form

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
    assert [(m.to, m.subject) for m in mailbox.messages] == [
        ("alex@example.net", "A referral you made has been opened"),
        ("alex@example.net", "There is an update"),
    ]


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
    assert "Sign in with a recovery code, if you made recovery codes." in text
    assert ("Sign in with a recovery code", "/sign-in/recovery-code") in pages.links(help_page)


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
    assert "you can only get back into your passport with a recovery code" in text
    assert "or confirm your email address" in text
    assert ("What to do if you lose your phone", "/sign-in/lost-phone") in pages.links(page)


# 2. A referral with no way to contact the person ------------------------------------------------

NO_WAY_TO_CONTACT = (
    "The organisation will not have any way to contact you. "
    "They can only accept or decline your referral."
)
ORG_NO_CONTACT = "No contact details were shared."
PHONE = "07700 900123"


def no_contact_warning(response) -> str:
    tag = pages.soup(response).find(id="no-contact-warning")
    return " ".join(tag.get_text().split()) if tag else ""


def test_the_check_page_warns_when_about_you_is_not_shared(link_resident):
    journeys.add_about(link_resident, name="Sam Taylor", phone=PHONE)
    path = journeys.draft_referral(link_resident, SERVICE, ["money"])

    check = link_resident.get(f"{path}/check")
    assert NO_WAY_TO_CONTACT in no_contact_warning(check)
    assert "You have not chosen to share 'About you' with them." in pages.text(check)
    links = dict(pages.links(check))
    assert links["Share 'About you' with them"] == f"{path}/change#sections"
    assert "Add your contact details" not in links

    journeys.draft_referral(link_resident, SERVICE, ["about", "money"])
    shared = link_resident.get(
        f"{journeys.draft_referral(link_resident, SERVICE, ['about'])}/check"
    )
    assert no_contact_warning(shared) == ""


def test_the_check_page_warns_when_about_you_has_no_phone_or_email_and_comes_back(link_resident):
    journeys.add_about(link_resident, name="Sam Taylor")  # a name is no way to get in touch
    path = journeys.draft_referral(link_resident, SERVICE, ["about", "money"], "Mornings.", "30")

    check = link_resident.get(f"{path}/check")
    assert NO_WAY_TO_CONTACT in no_contact_warning(check)
    assert "You have not added a phone number or email address to 'About you'." in pages.text(check)
    add = dict(pages.links(check))["Add your contact details"]
    assert unquote(add) == f"/passport/about?next={path}/check"

    about = link_resident.get(add)
    assert pages.heading(about) == "About you"
    assert ("Back to your referral", f"{path}/check") in pages.links(about)
    saved = post_form(link_resident, add, {"name": "Sam Taylor", "phone": PHONE})
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"{path}/check"

    back = link_resident.get(f"{path}/check")
    assert pages.flash_messages(back) == ["Your details have been saved."]
    assert no_contact_warning(back) == ""
    assert "Mornings." in pages.text(back)


def test_adding_contact_details_from_the_referral_form_keeps_everything_typed(link_resident):
    form = journeys.open_referral_form(link_resident, SERVICE)
    assert pages.soup(form).find(id="no-contact") is not None
    buttons = [
        (button.get_text(strip=True), button.get("name"), button.get("value"))
        for button in pages.soup(form).select("main form button")
        if button.get("name") != "lang"  # the language switch, which keeps what was typed
    ]
    # Continue first: pressing Enter in the form must not leave for 'About you'.
    assert buttons == [("Continue", None, None), ("Add your contact details", "then", "about")]

    left = post_form(
        link_resident,
        f"/directory/services/{SERVICE}/refer",
        {
            "sections": ["about", "money"],
            "message": "Mornings are best.",
            "share_days": "180",
            "then": "about",
        },
    )
    assert left.status_code == 302
    path = journeys.referral_path(left)
    assert unquote(left.headers["Location"]) == f"/passport/about?next={path}/change"

    saved = post_form(link_resident, left.headers["Location"], {"email": "sam.contact@example.net"})
    assert saved.headers["Location"] == f"{path}/change"

    change = link_resident.get(f"{path}/change")
    assert pages.checked_values(change, "sections") == ["about", "money"]
    assert pages.field_value(change, "message") == "Mornings are best."
    assert pages.checked_values(change, "share_days") == ["180"]
    assert pages.soup(change).find(id="no-contact") is None
    assert "Add your contact details" not in pages.text(change)

    checked = post_form(
        link_resident,
        f"{path}/change",
        {"sections": ["about", "money"], "message": "Mornings are best.", "share_days": "180"},
    )
    assert checked.headers["Location"] == f"{path}/check"
    assert no_contact_warning(link_resident.get(f"{path}/check")) == ""


def test_the_organisation_sees_that_no_contact_details_were_shared(
    app, link_resident, org_client, mailbox
):
    path = journeys.refer(link_resident, SERVICE, ["money"])
    link = journeys.share_link(mailbox, ORG_EMAIL)
    code = journeys.request_code(org_client, link, mailbox, ORG_EMAIL)
    journeys.enter_code(org_client, link, code)
    shared = org_client.get(link)
    warning = pages.soup(shared).find(id="no-contact")
    assert warning is not None
    assert ORG_NO_CONTACT in " ".join(warning.get_text().split())

    # Accepted, the resident is not told 'they will contact you': they cannot.
    org_client.post(f"{link}/accept", data={"csrf_token": pages.csrf_token(shared)})
    detail = link_resident.get(path)
    assert "will contact you" not in pages.text(detail)
    assert "contact them to arrange what happens next" in pages.text(detail)
    assert ("How to contact them", f"/directory/services/{SERVICE}") in pages.links(detail)

    # With a phone number shared, nothing to warn about.
    other = app.test_client()
    journeys.sign_up(other, mailbox, "alex@example.net")
    journeys.add_about(other, phone=PHONE)
    journeys.refer(other, SERVICE, ["about"])
    link = journeys.share_link(mailbox, ORG_EMAIL)
    code = journeys.request_code(org_client, link, mailbox, ORG_EMAIL)
    journeys.enter_code(org_client, link, code)
    shared = org_client.get(link)
    assert pages.soup(shared).find(id="no-contact") is None
    assert PHONE in pages.text(shared)

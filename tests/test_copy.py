"""Details a careful team would not ship: one way of saying a share period, 'email' and never
'e-mail', optional fields that say so, phone numbers that are phone numbers, pages that say
which address and what happened, and Welsh that says 'gyda' only where it can."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import journeys, pages
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.journeys import post_form
from tests.test_i18n import WELSH_PO, extract_options, read_catalogue

ROOT = Path(__file__).resolve().parents[1]
RESIDENT = "sam@example.net"
SERVICE = "debt-advice-drop-in"
ORG_EMAIL = "referrals@eastbridge-advice.example.org"
MASKED = "r********@eastbridge-advice.example.org"


@pytest.fixture
def resident(client, mailbox, demo_directory):
    journeys.sign_up(client, mailbox, RESIDENT)
    journeys.add_need(client, "money", "The bailiffs have written.")
    mailbox.clear()
    return client


# A share period is said one way -----------------------------------------------------------------


def radio_labels(response, name: str) -> dict[str, str]:
    page = pages.soup(response)
    return {
        str(radio["value"]): " ".join(
            page.find("label", attrs={"for": radio["id"]}).get_text().split()
        )
        for radio in page.find_all("input", attrs={"name": name})
    }


def summary_value(response, key: str) -> str:
    for row in pages.soup(response).select(".govuk-summary-list__row"):
        if " ".join(row.select_one("dt").get_text().split()) == key:
            return " ".join(row.select_one(".govuk-summary-list__value").get_text().split())
    raise AssertionError(f"No row {key!r}")


def test_a_share_period_is_said_the_same_way_on_the_form_the_check_page_and_the_email(
    resident, mailbox
):
    labels = radio_labels(journeys.open_referral_form(resident, SERVICE), "share_days")
    assert labels == {"30": "1 month", "90": "3 months", "180": "6 months"}

    for days, label in labels.items():
        path = journeys.draft_referral(resident, SERVICE, ["money"], "", days)
        check = resident.get(f"{path}/check")
        assert summary_value(check, "How long they can see it") == label, days

    post_form(resident, f"{path}/check", {})
    assert "The link stops working after 6 months" in mailbox.last_to(ORG_EMAIL).body


# 'email', never 'e-mail' ------------------------------------------------------------------------


def test_every_message_a_person_reads_says_email_not_e_mail(tmp_path):
    extracted = tmp_path / "messages.pot"
    options = extract_options()
    pybabel = str(Path(sys.executable).with_name("pybabel"))
    done = subprocess.run(
        [pybabel, "extract", *options[:-1], "-o", str(extracted), options[-1]],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    messages = [message.id for message in read_catalogue(extracted) if message.id]
    assert len(messages) > 300, "the extraction found too little to be the whole app"
    texts = [
        text
        for message in messages
        for text in (message if isinstance(message, tuple) else [message])
    ]
    assert [text for text in texts if re.search(r"e-mail", text, re.IGNORECASE)] == []


# 'About you': every field says it is optional -------------------------------------------------


def test_every_about_you_field_says_it_is_optional(resident):
    form = resident.get("/passport/about")
    page = pages.soup(form)
    labels = [" ".join(label.get_text().split()) for label in page.select("main form label")]
    assert len(labels) == 5
    assert [label for label in labels if not label.endswith("(optional)")] == []
    assert "Everything here is optional" not in pages.text(form)


# Phone numbers ---------------------------------------------------------------------------------

PHONE_ERROR = "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"


def test_a_phone_number_must_be_one_and_what_was_typed_is_kept(resident):
    for typed in ("not a phone ☎", "123 456", "0770 abc 1234", "1" * 21, "07700 900123 ext. 4"):
        response = journeys.add_about(resident, name="Sam Taylor", phone=typed)
        assert response.status_code == 200, typed
        assert pages.error_summary_links(response) == [(PHONE_ERROR, "#phone")], typed
        assert pages.field_error(response, "phone") == PHONE_ERROR
        assert pages.field_value(response, "phone") == typed
        assert pages.field_value(response, "name") == "Sam Taylor"
    assert "Sam Taylor" not in pages.text(resident.get("/passport"))

    for number in ("07700 900123", "+44 (0)1632 960-001", "1234567", "1" * 20):
        saved = journeys.add_about(resident, phone=number)
        assert saved.status_code == 302, number
        assert number in pages.text(resident.get("/passport"))


# Check your email says which address ----------------------------------------------------------


def test_check_your_email_says_which_address_without_putting_it_in_the_cookie(client, mailbox):
    journeys.sign_up(client, mailbox, RESIDENT)
    journeys.sign_out(client)
    seen = []
    for email in (RESIDENT, "nobody@example.net"):
        asked = post_form(client, "/sign-in", {"email": email.upper()})
        assert asked.headers["Location"] == "/check-your-email"
        cookies = " ".join(asked.headers.getlist("Set-Cookie"))
        for form in (email, email.upper(), base64.urlsafe_b64encode(email.encode()).decode()[:16]):
            assert form not in cookies
        page = client.get("/check-your-email")
        sent_to = pages.soup(page).find(id="sent-to")
        assert sent_to is not None
        assert sent_to.find("strong").get_text() == email
        seen.append(pages.text(page).replace(email, "ADDRESS"))
        # Said once: the address does not stay behind in the cookie.
        assert email not in pages.text(client.get("/check-your-email"))
    # With a passport or not, the same page.
    assert seen[0] == seen[1]


# A used or expired confirmation link ------------------------------------------------------------


@pytest.fixture
def passkey_resident(client, mailbox):
    signed_up = journeys.sign_up_with_passkey(client, SoftwareAuthenticator(), RESIDENT)
    assert signed_up.status_code == 200
    return client


def confirmation_link(mailbox) -> str:
    return journeys.path_of(mailbox.link_to(RESIDENT, "/sign-in/link/"))


def test_a_used_confirmation_link_tells_its_signed_in_owner_the_address_is_confirmed(
    passkey_resident, mailbox
):
    link = confirmation_link(mailbox)
    assert post_form(passkey_resident, link, {}).headers["Location"] == "/account"

    again = passkey_resident.get(link)
    assert again.status_code == 410
    assert pages.heading(again) == "This link has already been used"
    text = pages.text(again)
    assert "Your email address is already confirmed." in text
    assert "sign-in link" not in text

    # Someone else, or nobody signed in, is told how to get a new one, not a sign-in link.
    journeys.sign_out(passkey_resident)
    signed_out = passkey_resident.get(link)
    assert pages.heading(signed_out) == "This link has already been used"
    assert "sign in and go to your sign-in details" in pages.text(signed_out)
    assert "Get a new sign-in link" not in pages.text(signed_out)


def test_an_expired_confirmation_link_offers_its_owner_a_new_one(
    passkey_resident, mailbox, frozen_clock
):
    mailbox.clear()
    journeys.ask_to_confirm_email(passkey_resident, "/passport")
    link = confirmation_link(mailbox)
    frozen_clock.advance(minutes=31)

    expired = passkey_resident.get(link)
    assert expired.status_code == 410
    assert pages.heading(expired) == "This link has expired"
    assert "Your email address is not confirmed yet." in pages.text(expired)
    form = pages.soup(expired).find("form", action="/account/email/confirm")
    assert form is not None
    assert form.find("button").get_text() == "Send a new confirmation link"
    assert "Get a new sign-in link" not in pages.text(expired)

    mailbox.clear()
    sent = passkey_resident.post(
        "/account/email/confirm", data={"csrf_token": pages.csrf_token(expired)}
    )
    assert sent.status_code == 302
    assert post_form(passkey_resident, confirmation_link(mailbox), {}).status_code == 302
    assert pages.soup(passkey_resident.get("/account")).find(id="email-status").get_text() == (
        "Confirmed"
    )


# A new code: say where it went ------------------------------------------------------------------


def test_asking_for_a_new_code_says_where_it_went(resident, org_client, mailbox):
    journeys.refer(resident, SERVICE, ["money"])
    link = journeys.share_link(mailbox, ORG_EMAIL)
    token = pages.csrf_token(org_client.get(link))

    first = org_client.post(f"{link}/code/send", data={"csrf_token": token})
    assert pages.flash_messages(org_client.get(first.headers["Location"])) == []

    again = org_client.post(f"{link}/code/send", data={"csrf_token": token})
    landed = org_client.get(again.headers["Location"])
    assert pages.heading(landed) == "Enter the code we emailed you"
    assert pages.flash_messages(landed) == [f"We have sent a new code to {MASKED}."]
    assert len(mailbox.to(ORG_EMAIL)) == 3  # the referral and two codes
    # Said once, where it happened: not again on the next page.
    assert pages.flash_messages(org_client.get(f"{link}/code")) == []


# Welsh: 'gyda' becomes 'gydag' before a vowel ---------------------------------------------------

VOWEL = "AEIOUWYaeiouwyÂÊÎÔÛŴŶâêîôûŵŷ"


def test_welsh_never_puts_gyda_before_a_vowel_or_a_name():
    """'gydag' before a vowel. A name (a placeholder) may start with either, so the Welsh
    must not put 'gyda' straight before it: 'gyda'r sefydliad %(organisation)s' can."""
    wrong = [
        (message.id, message.string)
        for message in read_catalogue(WELSH_PO, "cy")
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else [message.string])
        if re.search(rf"\bgyda\s+(?:[{VOWEL}]|%\()", text or "")
    ]
    assert wrong == []

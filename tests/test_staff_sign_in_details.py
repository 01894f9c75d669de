"""A member of staff's sign-in details: their work address, and adding and removing passkeys
on the work account, with the residents' ceremonies (passport/accounts/ceremony.py) and a
software authenticator (tests/support/authenticator.py) answering for real."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webauthn.helpers import bytes_to_base64url

from passport.staff import service as staff_accounts
from tests.support import journeys, pages, scenarios, staff
from tests.support.authenticator import InvalidStateError, SoftwareAuthenticator
from tests.support.journeys import csrf_header, post_form
from tests.support.mailbox import Mailbox

ORG = "eastbridge-advice-centre"
ADDED = "Passkey added. You can now use it to sign in."
REMOVED = "Passkey removed. You can no longer use it to sign in."


@pytest.fixture
def email() -> str:
    return f"worker-{scenarios.marker()}@example.org"


@pytest.fixture
def worker(app: Flask, client: FlaskClient, mailbox: Mailbox, demo_directory, email) -> FlaskClient:
    """Signed in for work (invited and accepted without a passkey)."""
    staff.join(app, client, mailbox, email, "staff", ORG)
    return client


def test_the_page_shows_the_work_address_and_no_passkeys(worker, email):
    home = worker.get("/staff")
    assert ("Your sign-in details", "/staff/account") in pages.links(home)

    page = worker.get("/staff/account")
    assert page.status_code == 200
    assert pages.heading(page) == "Your sign-in details"
    assert page.headers["Cache-Control"] == "no-store"
    assert pages.soup(page).find(id="email-address").get_text() == email
    assert "You have not added a passkey." in pages.text(page)
    assert pages.passkeys(page) == []
    button = pages.soup(page).find("button", attrs={"data-passkey-register": True})
    assert button is not None and button.has_attr("hidden")
    assert button["data-passkey-register"] == "/staff/account/passkeys/options"
    assert button["data-passkey-verify"] == "/staff/account/passkeys/verify"
    # Nothing of a resident's page: no passport, no confirmation link.
    hrefs = {href for _, href in pages.links(page)}
    assert not hrefs & {"/passport", "/account", "/account/email/confirm"}
    assert pages.soup(page).find("button", string="Email me a confirmation link") is None


def test_a_passkey_added_for_work_is_listed_and_signs_in_for_work_only(
    app, worker, mailbox, email, frozen_clock
):
    phone = SoftwareAuthenticator()
    with app.app_context():
        account = staff_accounts.find_by_email(email)
        user_id = bytes_to_base64url(account.webauthn_user_id)
    options = worker.post(
        "/staff/account/passkeys/options", headers=csrf_header(worker, "/staff/account")
    ).get_json()
    assert options["user"]["id"] == user_id
    assert options["user"]["name"] == email
    assert options["excludeCredentials"] == []

    added = staff.add_passkey(worker, phone)
    assert added.status_code == 200
    assert added.get_json() == {"ok": True, "redirect": "/staff/account"}
    page = worker.get("/staff/account")
    assert pages.flash_messages(page) == [ADDED]
    [(created, used, remove)] = pages.passkeys(page)
    assert created == "Passkey created on 3 March 2026 at 10:14"
    assert used == "Not used to sign in yet"
    assert remove.startswith("/staff/account/passkeys/") and remove.endswith("/remove")

    # The same authenticator cannot add it twice: the account's passkeys are excluded.
    again = worker.post(
        "/staff/account/passkeys/options", headers=csrf_header(worker, "/staff/account")
    ).get_json()
    assert [item["id"] for item in again["excludeCredentials"]] == [phone.credentials[0].b64_id]
    with pytest.raises(InvalidStateError):
        phone.create(again)

    staff.sign_out(worker)
    frozen_clock.advance(days=1, hours=2)
    signed_in = staff.sign_in_with_passkey(worker, phone)
    assert signed_in.get_json() == {"ok": True, "redirect": "/staff"}
    [(_, used, _)] = pages.passkeys(worker.get("/staff/account"))
    assert used == "Last used to sign in on 4 March 2026 at 12:14"

    # A passkey made for work never opens a passport (ADR 0026).
    staff.sign_out(worker)
    refused = journeys.sign_in_with_passkey(worker, phone)
    assert refused.get_json() == {"ok": False, "redirect": "/sign-in/work-passkey"}


def test_the_only_passkey_can_go_since_an_email_link_still_signs_in(worker, mailbox, email):
    phone = SoftwareAuthenticator()
    staff.add_passkey(worker, phone)
    [(_, _, remove)] = pages.passkeys(worker.get("/staff/account"))

    asked = worker.get(remove)
    assert asked.status_code == 200
    assert pages.heading(asked) == "Remove this passkey?"
    text = pages.text(asked)
    assert "It is your only passkey. You will sign in with a link we email you instead." in text
    assert "stops anyone using it to sign in to your work account" in text
    assert ("No, keep it", "/staff/account") in pages.links(asked)

    removed = post_form(worker, remove, {})
    assert removed.status_code == 302
    assert removed.headers["Location"] == "/staff/account"
    page = worker.get("/staff/account")
    assert pages.flash_messages(page) == [REMOVED]
    assert pages.passkeys(page) == []
    assert worker.get(remove).status_code == 404

    staff.sign_out(worker)
    assert staff.sign_in_with_passkey(worker, phone).status_code == 400
    assert staff.sign_in(worker, mailbox, email).headers["Location"] == "/staff"


def test_another_accounts_passkey_is_not_found(app, worker, mailbox, demo_directory):
    staff.add_passkey(worker, SoftwareAuthenticator())
    [(_, _, remove)] = pages.passkeys(worker.get("/staff/account"))

    colleague = app.test_client()
    staff.join(app, colleague, mailbox, f"c-{scenarios.marker()}@example.org", "admin", ORG)
    assert colleague.get(remove).status_code == 404
    token = pages.csrf_token(colleague.get("/staff/account"))
    assert colleague.post(remove, data={"csrf_token": token}).status_code == 404
    assert len(pages.passkeys(worker.get("/staff/account"))) == 1

    # A resident's session is told the page is for work; nobody signed in goes to sign in.
    resident = app.test_client()
    journeys.sign_up(resident, mailbox, f"r-{scenarios.marker()}@example.net")
    assert resident.get("/staff/account").status_code == 403
    assert resident.get(remove).status_code == 403
    anonymous = app.test_client().get("/staff/account")
    assert anonymous.headers["Location"].startswith("/staff/sign-in")

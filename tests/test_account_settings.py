"""Your sign-in details: the e-mail address, and adding and removing passkeys.

The passkey ceremonies run for real against a software authenticator
(tests/support/authenticator.py): the server checks real attestations and signatures.
"""

from __future__ import annotations

import uuid
from urllib.parse import unquote

import pytest
from webauthn.helpers import bytes_to_base64url

from passport.accounts import service as accounts
from tests.support import journeys, pages
from tests.support.authenticator import InvalidStateError, SoftwareAuthenticator
from tests.support.journeys import csrf_header, post_form

EMAIL = "sam@example.net"
ADDED = "Passkey added. You can now use it to sign in."
REMOVED = "Passkey removed. You can no longer use it to sign in."
CANNOT_REMOVE = "You cannot remove your only passkey yet"


def passkey_path(response) -> str:
    """The remove link of the only (or first) passkey on the sign-in details page."""
    return pages.passkeys(response)[0][2]


def email_status(response) -> str:
    tag = pages.soup(response).find(id="email-status")
    assert tag is not None, "No e-mail status on the page"
    return " ".join(tag.get_text().split())


@pytest.fixture
def resident(client, mailbox):
    """Signed up with an e-mail link, so the address is confirmed; no passkey yet."""
    journeys.sign_up(client, mailbox, EMAIL)
    return client


# The page ---------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_and_come_back(client, mailbox):
    journeys.sign_up(client, mailbox, EMAIL)
    journeys.sign_out(client)

    asked = client.get("/account")
    assert asked.status_code == 302
    assert unquote(asked.headers["Location"]) == "/sign-in?next=/account"
    client.get(asked.headers["Location"])
    assert journeys.sign_in(client, mailbox, EMAIL).headers["Location"] == "/account"

    journeys.sign_out(client)
    token = pages.csrf_token(client.get("/sign-in"))
    for path in ("/account/passkeys/options", "/account/passkeys/verify", "/account/email/confirm"):
        response = client.post(path, headers={"X-CSRFToken": token})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/sign-in?next="), path


def test_the_page_shows_the_confirmed_email_address_and_no_passkeys(resident):
    passport = resident.get("/passport")
    assert ("Your sign-in details", "/account") in pages.links(passport)

    page = resident.get("/account")
    assert page.status_code == 200
    assert pages.heading(page) == "Your sign-in details"
    assert page.headers["Cache-Control"] == "no-store"
    text = pages.text(page)
    assert pages.soup(page).find(id="email-address").get_text() == EMAIL
    assert email_status(page) == "Confirmed"
    assert "You can sign in with a link we email to this address." in text
    assert "You have not added a passkey." in text
    assert pages.passkeys(page) == []
    assert pages.soup(page).find("button", string="Email me a confirmation link") is None

    # The button is for JavaScript only: without it, the page says why there is none.
    button = pages.soup(page).find("button", attrs={"data-passkey-register": True})
    assert button is not None and button.has_attr("hidden")
    assert button.get_text() == "Add a passkey"
    assert button["data-passkey-register"] == "/account/passkeys/options"
    assert button["data-passkey-verify"] == "/account/passkeys/verify"
    unsupported = pages.soup(page).find(attrs={"data-passkey-unsupported": True})
    assert " ".join(unsupported.get_text().split()) == (
        "Passkeys do not work in this browser. You can keep signing in with a link we email you."
    )


# Adding a passkey -------------------------------------------------------------------------------


def test_options_use_the_accounts_user_id_and_exclude_its_passkeys(app, resident):
    phone = SoftwareAuthenticator()
    with app.app_context():
        user_id = bytes_to_base64url(accounts.find_by_email(EMAIL).webauthn_user_id)

    first = resident.post("/account/passkeys/options", headers=csrf_header(resident, "/account"))
    assert first.status_code == 200
    assert first.mimetype == "application/json"
    options = first.get_json()
    assert options["user"]["id"] == user_id
    assert options["user"]["name"] == EMAIL
    assert options["rp"]["id"] == "localhost"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["excludeCredentials"] == []

    assert journeys.add_passkey(resident, phone).get_json()["ok"] is True
    laptop = SoftwareAuthenticator()
    assert journeys.add_passkey(resident, laptop).get_json()["ok"] is True

    again = resident.post("/account/passkeys/options", headers=csrf_header(resident, "/account"))
    options = again.get_json()
    assert options["user"]["id"] == user_id, "a second passkey must belong to the same user"
    assert options["challenge"] != first.get_json()["challenge"]
    excluded = sorted(item["id"] for item in options["excludeCredentials"])
    held = sorted(c.b64_id for c in phone.credentials + laptop.credentials)
    assert excluded == held
    # So an authenticator that already has one says so, instead of replacing it.
    with pytest.raises(InvalidStateError):
        phone.create(options)


def test_adding_a_passkey_lists_it_and_it_signs_in(resident, frozen_clock):
    phone = SoftwareAuthenticator()
    added = journeys.add_passkey(resident, phone)

    assert added.status_code == 200
    assert added.get_json() == {"ok": True, "redirect": "/account"}
    page = resident.get("/account")
    assert pages.flash_messages(page) == [ADDED]
    [(created, used, remove)] = pages.passkeys(page)
    assert created == "Passkey created on 3 March 2026 at 10:14"
    assert used == "Not used to sign in yet"
    assert remove.startswith("/account/passkeys/") and remove.endswith("/remove")
    link = pages.soup(page).select_one("#passkeys .govuk-summary-list__actions a")
    hidden = link.select_one(".govuk-visually-hidden")
    assert " ".join(link.get_text().split()) == (
        "Remove the passkey created on 3 March 2026 at 10:14"
    )
    assert " ".join(hidden.get_text().split()) == "the passkey created on 3 March 2026 at 10:14"
    assert "You have not added a passkey." not in pages.text(page)

    journeys.sign_out(resident)
    frozen_clock.advance(days=2, hours=3)
    signed_in = journeys.sign_in_with_passkey(resident, phone)
    assert signed_in.get_json() == {"ok": True, "redirect": "/passport"}
    [(_, used, _)] = pages.passkeys(resident.get("/account"))
    assert used == "Last used to sign in on 5 March 2026 at 13:14"


def test_dates_are_shown_in_uk_time(resident, frozen_clock):
    frozen_clock.advance(days=150)  # 31 July 2026, British Summer Time
    journeys.add_passkey(resident, SoftwareAuthenticator())
    [(created, _, _)] = pages.passkeys(resident.get("/account"))
    assert created == "Passkey created on 31 July 2026 at 11:14"


@pytest.mark.parametrize(
    "body", ["this is not json{", "[1, 2, 3]", "{}", '{"id": "x", "response": {}}']
)
def test_adding_a_passkey_with_a_garbage_answer_is_refused(resident, body):
    headers = csrf_header(resident, "/account")
    resident.post("/account/passkeys/options", headers=headers)
    response = resident.post(
        "/account/passkeys/verify", data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert response.get_json() == {"ok": False}
    assert pages.passkeys(resident.get("/account")) == []


def test_an_answer_is_used_once(resident):
    headers = csrf_header(resident, "/account")
    options = resident.post("/account/passkeys/options", headers=headers).get_json()
    answer = SoftwareAuthenticator().create(options)

    assert (
        resident.post("/account/passkeys/verify", json=answer, headers=headers).status_code == 200
    )
    again = resident.post("/account/passkeys/verify", json=answer, headers=headers)
    assert again.status_code == 400
    assert len(pages.passkeys(resident.get("/account"))) == 1


def test_a_passkey_already_on_another_account_is_refused(app, resident, mailbox):
    phone = SoftwareAuthenticator()
    journeys.add_passkey(resident, phone)
    other = app.test_client()
    journeys.sign_up(other, mailbox, "other@example.net")

    headers = csrf_header(other, "/account")
    options = other.post("/account/passkeys/options", headers=headers).get_json()
    made_up = SoftwareAuthenticator().create(options, credential_id=phone.credentials[0].id)
    response = other.post("/account/passkeys/verify", json=made_up, headers=headers)

    assert response.status_code == 400
    assert response.get_json() == {"ok": False}
    assert pages.passkeys(other.get("/account")) == []
    assert journeys.sign_in_with_passkey(app.test_client(), phone).status_code == 200


def test_adding_a_passkey_needs_the_csrf_header(resident):
    response = resident.post("/account/passkeys/options")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "challenge" not in response.get_data(as_text=True)


# Removing a passkey -----------------------------------------------------------------------------


def test_removing_a_passkey_asks_first_then_it_no_longer_signs_in(app, resident):
    phone, laptop = SoftwareAuthenticator(), SoftwareAuthenticator()
    journeys.add_passkey(resident, phone)
    journeys.add_passkey(resident, laptop)
    listed = pages.passkeys(resident.get("/account"))
    assert len(listed) == 2
    phone_remove = listed[0][2]

    asked = resident.get(phone_remove)
    assert asked.status_code == 200
    assert pages.heading(asked) == "Remove this passkey?"
    text = pages.text(asked)
    assert listed[0][0] in text
    assert "It is your only passkey" not in text
    assert ("No, keep it", "/account") in pages.links(asked)
    assert len(pages.passkeys(resident.get("/account"))) == 2, "opening the page removed it"

    removed = post_form(resident, phone_remove, {})
    assert removed.status_code == 302
    assert removed.headers["Location"] == "/account"
    page = resident.get("/account")
    assert pages.flash_messages(page) == [REMOVED]
    assert pages.passkeys(page) == listed[1:]
    assert resident.get(phone_remove).status_code == 404

    stranger = app.test_client()
    refused = journeys.sign_in_with_passkey(stranger, phone)
    assert refused.status_code == 400
    assert stranger.get("/passport").status_code == 302
    assert journeys.sign_in_with_passkey(stranger, laptop).status_code == 200


def test_the_last_passkey_can_go_when_the_email_address_is_confirmed(app, resident, mailbox):
    phone = SoftwareAuthenticator()
    journeys.add_passkey(resident, phone)
    remove = passkey_path(resident.get("/account"))

    asked = resident.get(remove)
    assert pages.heading(asked) == "Remove this passkey?"
    assert "It is your only passkey. You will sign in with a link we email you instead." in (
        pages.text(asked)
    )
    assert post_form(resident, remove, {}).status_code == 302
    assert pages.passkeys(resident.get("/account")) == []

    journeys.sign_out(resident)
    assert journeys.sign_in(resident, mailbox, EMAIL).headers["Location"] == "/passport"


def test_someone_elses_passkey_is_not_found(app, resident, mailbox):
    journeys.add_passkey(resident, SoftwareAuthenticator())
    remove = passkey_path(resident.get("/account"))
    other = app.test_client()
    journeys.sign_up(other, mailbox, "other@example.net")
    token = pages.csrf_token(other.get("/account"))

    for path in (remove, f"/account/passkeys/{uuid.uuid4()}/remove"):
        looked = other.get(path)
        assert looked.status_code == 404, path
        assert pages.heading(looked) == "Page not found"
        posted = other.post(path, data={"csrf_token": token})
        assert posted.status_code == 404, path
    assert len(pages.passkeys(resident.get("/account"))) == 1


# An e-mail address not yet confirmed --------------------------------------------------------------


@pytest.fixture
def passkey_resident(client, mailbox):
    """Signed up with a passkey and has not opened the confirmation link."""
    phone = SoftwareAuthenticator()
    signed_up = journeys.sign_up_with_passkey(client, phone, EMAIL)
    assert signed_up.get_json() == {"ok": True, "redirect": "/passport"}
    assert mailbox.last_to(EMAIL).subject == "Confirm your email address"
    mailbox.clear()
    return client, phone


def test_an_unconfirmed_address_is_shown_with_a_way_to_confirm_it(passkey_resident):
    client, _phone = passkey_resident
    page = client.get("/account")

    assert email_status(page) == "Not confirmed"
    text = pages.text(page)
    assert (
        "You have not confirmed your email address yet. Until you do, you can only sign in with "
        "a passkey, and we cannot email you when an organisation replies to you."
    ) in text
    form = pages.soup(page).find("form", action="/account/email/confirm")
    assert form is not None
    assert form.find("button").get_text() == "Email me a confirmation link"
    unsupported = pages.soup(page).find(attrs={"data-passkey-unsupported": True})
    assert " ".join(unsupported.get_text().split()) == "Passkeys do not work in this browser."
    assert len(pages.passkeys(page)) == 1


def test_the_last_passkey_cannot_go_until_the_address_is_confirmed(passkey_resident, mailbox):
    client, phone = passkey_resident
    remove = passkey_path(client.get("/account"))

    refused = client.get(remove)
    assert refused.status_code == 200
    assert pages.heading(refused) == CANNOT_REMOVE
    assert "this passkey is the only way you can sign in" in pages.text(refused)
    assert pages.soup(refused).find("button", string="Yes, remove it") is None
    form = pages.soup(refused).find("form", action="/account/email/confirm")
    assert form is not None and form["method"] == "post"

    posted = post_form(client, remove, {})
    assert posted.status_code == 409
    assert pages.heading(posted) == CANNOT_REMOVE
    assert len(pages.passkeys(client.get("/account"))) == 1

    # Ask for a confirmation link, open it, and then the passkey can go.
    sent = client.post("/account/email/confirm", data={"csrf_token": pages.csrf_token(refused)})
    assert sent.status_code == 302
    assert sent.headers["Location"] == "/account"
    assert pages.flash_messages(client.get("/account")) == [
        "We have emailed you a link. Open it to confirm your email address."
    ]
    mail = mailbox.last_to(EMAIL)
    assert mail.subject == "Confirm your email address"
    assert "http://localhost/sign-in/link/" in mail.body
    journeys.sign_in_from_email(client, mailbox, EMAIL)
    assert email_status(client.get("/account")) == "Confirmed"

    asked = client.get(remove)
    assert pages.heading(asked) == "Remove this passkey?"
    assert post_form(client, remove, {}).status_code == 302
    assert pages.passkeys(client.get("/account")) == []
    journeys.sign_out(client)
    assert journeys.sign_in_with_passkey(client, phone).status_code == 400
    assert journeys.sign_in(client, mailbox, EMAIL).headers["Location"] == "/passport"


def test_with_two_passkeys_one_can_go_but_not_the_last(passkey_resident):
    client, _phone = passkey_resident
    journeys.add_passkey(client, SoftwareAuthenticator())
    first, second = (row[2] for row in pages.passkeys(client.get("/account")))

    assert pages.heading(client.get(first)) == "Remove this passkey?"
    assert post_form(client, first, {}).status_code == 302
    assert pages.heading(client.get(second)) == CANNOT_REMOVE
    assert post_form(client, second, {}).status_code == 409
    assert len(pages.passkeys(client.get("/account"))) == 1


def test_a_confirmed_address_gets_no_confirmation_email(resident, mailbox):
    mailbox.clear()
    token = pages.csrf_token(resident.get("/account"))
    response = resident.post("/account/email/confirm", data={"csrf_token": token})
    assert response.status_code == 302
    assert pages.flash_messages(resident.get("/account")) == []
    assert mailbox.to(EMAIL) == []


# Limits -----------------------------------------------------------------------------------------


def test_passkey_options_are_rate_limited(resident):
    headers = csrf_header(resident, "/account")
    for attempt in range(10):
        response = resident.post("/account/passkeys/options", headers=headers)
        assert response.status_code == 200, attempt
    limited = resident.post("/account/passkeys/options", headers=headers)
    assert limited.status_code == 429


def test_confirmation_links_are_limited_per_account(passkey_resident, mailbox):
    client, _phone = passkey_resident
    token = pages.csrf_token(client.get("/account"))
    for attempt in range(5):
        sent = client.post("/account/email/confirm", data={"csrf_token": token})
        assert sent.status_code == 302, attempt
    limited = client.post("/account/email/confirm", data={"csrf_token": token})
    assert limited.status_code == 429
    assert pages.heading(limited) == "You have tried too many times"
    assert len(mailbox.to(EMAIL)) == 5

"""Signing up and signing in: e-mail links, sessions, and the passkey JSON endpoints."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select

from passport.accounts.models import Account
from passport.database import db
from tests.support import journeys, pages
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.journeys import post_form

EMAIL = "sam@example.net"


def count_accounts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Account)) or 0


# Sign up by e-mail link -----------------------------------------------------------------------


def test_sign_up_by_email_link_creates_a_passport_and_signs_in(app, client, mailbox):
    start = client.get("/sign-up")
    assert start.status_code == 200
    assert pages.heading(start) == "Create your passport"

    sent = post_form(client, "/sign-up", {"email": EMAIL, "method": "link"})
    assert sent.status_code == 302
    assert sent.headers["Location"] == "/check-your-email"
    check = client.get("/check-your-email")
    assert pages.heading(check) == "Check your email"

    email = mailbox.last_to(EMAIL)
    assert email.subject == "Your sign-in link"
    assert "http://localhost/sign-in/link/" in email.body
    assert count_accounts(app) == 1
    assert client.get("/passport").status_code == 302, "signed in before using the link"

    used = journeys.sign_in_from_email(client, mailbox, EMAIL)
    assert used.headers["Location"] == "/passport"
    passport = client.get("/passport")
    assert passport.status_code == 200
    assert pages.heading(passport) == "Your passport"


def test_sign_in_link_is_single_use(client, mailbox):
    link = journeys.sign_up_link(client, mailbox, EMAIL)
    first = post_form(client, link, {})
    assert first.status_code == 302
    journeys.sign_out(client)

    again = post_form(client, link, {})
    assert again.status_code == 410
    assert pages.heading(again) == "This sign-in link has already been used"
    assert client.get("/passport").status_code == 302, "a used link signed someone in"


def test_sign_in_link_works_for_30_minutes_only(client, mailbox, frozen_clock):
    link = journeys.sign_up_link(client, mailbox, EMAIL)

    frozen_clock.advance(minutes=29, seconds=59)
    assert client.get(link).status_code == 200

    frozen_clock.advance(seconds=1)
    opened = client.get(link)
    assert opened.status_code == 410
    assert pages.heading(opened) == "This sign-in link has expired"
    used = post_form(client, link, {})
    assert used.status_code == 410
    assert pages.heading(used) == "This sign-in link has expired"
    assert client.get("/passport").status_code == 302


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_or_tampered_sign_in_link_does_not_work(client, mailbox, method):
    link = journeys.sign_up_link(client, mailbox, EMAIL)
    tampered = link[:-1] + ("A" if link[-1] != "A" else "B")
    for bad in (tampered, "/sign-in/link/not-a-real-token"):
        response = client.get(bad) if method == "get" else post_form(client, bad, {})
        assert response.status_code == 410
        assert pages.heading(response) == "This sign-in link does not work"
        assert pages.soup(response).find("button", string="Sign in") is None
    assert client.get("/passport").status_code == 302
    assert post_form(client, link, {}).status_code == 302, "the real link stopped working"


def test_opening_a_link_shows_a_button_and_does_not_use_it(client, mailbox):
    link = journeys.sign_up_link(client, mailbox, EMAIL)
    for _ in range(2):  # a mail scanner, then the person
        opened = client.get(link)
        assert opened.status_code == 200
        assert pages.heading(opened) == "Sign in to your passport"
        form = pages.soup(opened).select_one("main form[method=post]")
        assert form is not None
        assert form.find("button", string="Sign in") is not None
    assert client.get("/passport").status_code == 302, "opening the link signed in"

    assert post_form(client, link, {}).status_code == 302
    assert client.get("/passport").status_code == 200


# No account enumeration -----------------------------------------------------------------------


def test_signing_in_with_an_unknown_email_looks_the_same_and_sends_no_passport_email(
    client, mailbox
):
    journeys.sign_up(client, mailbox, EMAIL)
    journeys.sign_out(client)
    mailbox.clear()

    known = post_form(client, "/sign-in", {"email": EMAIL})
    unknown = post_form(client, "/sign-in", {"email": "nobody@example.net"})

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/check-your-email"
    assert pages.heading(client.get(unknown.headers["Location"])) == "Check your email"

    to_known = mailbox.last_to(EMAIL)
    assert "/sign-in/link/" in to_known.body
    to_unknown = mailbox.last_to("nobody@example.net")
    assert to_unknown.subject == "Your sign-in request"
    assert "there is no account for it" in to_unknown.body
    assert "http://localhost/sign-up" in to_unknown.body
    assert "/sign-in/link/" not in to_unknown.body


def test_signing_up_with_an_existing_email_sends_a_sign_in_link(app, client, mailbox):
    journeys.sign_up(client, mailbox, EMAIL)
    journeys.add_need(client, "food", "The cupboards are empty by Thursday.")
    journeys.sign_out(client)
    mailbox.clear()

    again = post_form(client, "/sign-up", {"email": EMAIL.upper(), "method": "link"})
    assert again.status_code == 302
    assert again.headers["Location"] == "/check-your-email"
    assert count_accounts(app) == 1

    email = mailbox.last_to(EMAIL)
    assert email.subject == "Your sign-in link"
    journeys.sign_in_from_email(client, mailbox, EMAIL)
    assert "The cupboards are empty by Thursday." in pages.text(client.get("/passport"))


def passkey_sign_up_as_seen(app, email: str) -> list[object]:
    """Everything a passkey sign-up shows its browser, step by step, with the address typed
    written as EMAIL."""
    browser = app.test_client()
    seen: list[object] = []

    def record(response) -> None:
        body = pages.text(response) if response.mimetype == "text/html" else response.get_json()
        seen.append(
            (
                response.status_code,
                response.headers.get("Location"),
                str(body).replace(email, "EMAIL"),
            )
        )

    record(post_form(browser, "/sign-up", {"email": email, "method": "passkey"}))
    record(browser.get("/sign-up/passkey"))
    headers = journeys.csrf_header(browser, "/sign-up/passkey")
    options = browser.post("/sign-up/passkey/options", headers=headers)
    seen.append((options.status_code, sorted(options.get_json())))
    answer = SoftwareAuthenticator().create(options.get_json())
    record(browser.post("/sign-up/passkey/verify", json=answer, headers=headers))
    for page in ("/passport", "/account"):
        record(browser.get(page))
    record(post_form(browser, "/account/email/confirm", {}))
    record(browser.get("/account"))
    return seen


def without_links(body: str) -> str:
    return re.sub(r"/sign-in/link/\S+", "/sign-in/link/TOKEN", body)


def test_signing_up_with_a_passkey_looks_the_same_for_an_address_with_a_passport(
    app, client, mailbox, frozen_clock
):
    journeys.sign_up(client, mailbox, EMAIL)
    journeys.add_need(client, "domestic_abuse", "He reads my messages.")
    journeys.sign_out(client)
    mailbox.clear()

    # Someone types Sam's address, then a new one: every page, status and answer is alike,
    # right through to the signed-in pages and asking for the confirmation again.
    known = passkey_sign_up_as_seen(app, EMAIL)
    unknown = passkey_sign_up_as_seen(app, "nobody@example.net")
    assert known == unknown
    assert known[0][:2] == (302, "/sign-up/passkey")
    assert known[3][:2] == (200, None)
    assert "Not confirmed" in known[-1][2]
    assert "He reads my messages." not in str(known)

    # The unknown address is asked to confirm; Sam gets only what a sign-in request sends.
    assert mailbox.last_to("nobody@example.net").subject == "Confirm your email address"
    to_sam = mailbox.to(EMAIL)
    assert len(to_sam) == 2
    post_form(app.test_client(), "/sign-in", {"email": EMAIL})
    asked = mailbox.to(EMAIL)[-1]
    for received in to_sam:
        assert received.subject == asked.subject == "Your sign-in link"
        assert without_links(received.body) == without_links(asked.body)

    # Sam's passport is untouched: the link signs Sam in to it, and the address still finds
    # only it. The stranger's new passport never gets the address or Sam's needs.
    assert count_accounts(app) == 3
    link = journeys.path_of(re.search(r"http://\S+", to_sam[0].body).group(0))
    assert post_form(client, link, {}).headers["Location"] == "/passport"
    assert "He reads my messages." in pages.text(client.get("/passport"))
    assert "Not confirmed" not in pages.text(client.get("/account"))
    journeys.sign_out(client)
    journeys.sign_in(client, mailbox, EMAIL)
    assert "He reads my messages." in pages.text(client.get("/passport"))


# The e-mail address field ---------------------------------------------------------------------

LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + "." + "e" * 12
assert len(LONG_EMAIL) == 321


@pytest.mark.parametrize("url", ["/sign-up", "/sign-in"])
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter your email address"),
        ("   ", "Enter your email address"),
        ("sam.example.net", "Enter an email address in the correct format, like name@example.com"),
        ("sam@", "Enter an email address in the correct format, like name@example.com"),
        (LONG_EMAIL, "Email address must be 320 characters or fewer"),
    ],
)
def test_email_errors_are_summarised_and_keep_what_was_typed(client, mailbox, url, typed, message):
    data = {"email": typed, "method": "link"} if url == "/sign-up" else {"email": typed}
    response = post_form(client, url, data)

    assert response.status_code == 200
    assert pages.title(response).startswith("Error: ")
    assert pages.error_summary_links(response) == [(message, "#email")]
    assert pages.field_error(response, "email") == message
    assert pages.field_value(response, "email") == typed.strip()
    assert mailbox.messages == []


# Signing out and coming back ------------------------------------------------------------------


def test_sign_out_clears_the_session_and_the_browser(client, mailbox):
    journeys.sign_up(client, mailbox, EMAIL)
    assert client.get("/passport").status_code == 200

    response = journeys.sign_out(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/signed-out"
    cleared = response.headers["Clear-Site-Data"]
    assert '"cache"' in cleared
    assert '"storage"' in cleared
    assert any(
        cookie.startswith("passport_session=;") for cookie in response.headers.getlist("Set-Cookie")
    ), "the session cookie was not removed"
    assert pages.heading(client.get("/signed-out")) == "You have signed out"

    after = client.get("/passport")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/sign-in?next=")


def test_sign_in_returns_to_the_page_asked_for(client, mailbox):
    journeys.sign_up(client, mailbox, EMAIL)
    journeys.sign_out(client)

    asked = client.get("/referrals")
    assert asked.status_code == 302
    client.get(asked.headers["Location"])  # the sign-in page remembers where to go next
    response = journeys.sign_in(client, mailbox, EMAIL)
    assert response.headers["Location"] == "/referrals"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/passport",
        "//evil.example/passport",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_sign_in_never_redirects_off_the_site(client, mailbox, target):
    journeys.sign_up(client, mailbox, EMAIL)
    journeys.sign_out(client)

    client.get("/sign-in", query_string={"next": target})
    response = journeys.sign_in(client, mailbox, EMAIL)
    location = response.headers["Location"]
    # Browsers read a backslash as a slash: resolve the address as they would.
    resolved = urlsplit(urljoin("http://localhost/passport", location.replace("\\", "/")))
    assert resolved.netloc == "localhost", location
    assert resolved.scheme == "http", location


# Passkey JSON endpoints (the whole ceremony runs in the browser tests) ------------------------


def csrf_header(client) -> dict[str, str]:
    return {"X-CSRFToken": pages.csrf_token(client.get("/sign-in"))}


def test_passkey_sign_up_options_need_a_pending_sign_up(client):
    response = client.post("/sign-up/passkey/options", headers=csrf_header(client))
    assert response.status_code == 400


def test_passkey_sign_up_options_for_a_pending_sign_up(client):
    chosen = post_form(client, "/sign-up", {"email": EMAIL, "method": "passkey"})
    assert chosen.status_code == 302
    assert chosen.headers["Location"] == "/sign-up/passkey"
    page = client.get("/sign-up/passkey")
    assert EMAIL in pages.text(page)

    response = client.post("/sign-up/passkey/options", headers=csrf_header(client))
    assert response.status_code == 200
    options = response.get_json()
    assert options["rp"]["id"] == "localhost"
    assert options["user"]["name"] == EMAIL
    assert options["challenge"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("this is not json{", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("{}", "application/json"),
        ('{"rawId": "not base64 !!!", "response": {}}', "application/json"),
        ("rawId=abc", "application/x-www-form-urlencoded"),
    ],
)
def test_passkey_sign_in_with_a_garbage_answer_is_refused(client, body, content_type):
    headers = csrf_header(client)
    client.post("/sign-in/passkey/options", headers=headers)  # a challenge is in progress
    response = client.post(
        "/sign-in/passkey/verify", data=body, content_type=content_type, headers=headers
    )
    assert response.status_code == 400
    assert response.get_json() == {"ok": False}
    assert client.get("/passport").status_code == 302


def test_a_garbage_answer_for_a_real_passkey_is_refused(client):
    # The passkey is found by its id before the answer is parsed: a malformed answer for a
    # real passkey must be refused too, not fail inside py_webauthn's parser.
    phone = SoftwareAuthenticator()
    assert journeys.sign_up_with_passkey(client, phone, EMAIL).get_json()["ok"] is True
    journeys.sign_out(client)
    credential_id = phone.credentials[0].b64_id

    headers = csrf_header(client)
    client.post("/sign-in/passkey/options", headers=headers)
    response = client.post(
        "/sign-in/passkey/verify",
        json={"id": credential_id, "rawId": credential_id, "response": {}},
        headers=headers,
    )
    assert response.status_code == 400
    assert response.get_json() == {"ok": False}
    assert client.get("/passport").status_code == 302
    assert journeys.sign_in_with_passkey(client, phone).get_json()["ok"] is True


def test_passkey_sign_up_then_sign_in_with_the_same_passkey(client, mailbox):
    phone = SoftwareAuthenticator()
    signed_up = journeys.sign_up_with_passkey(client, phone, EMAIL)
    assert signed_up.get_json() == {"ok": True, "redirect": "/passport"}
    assert client.get("/passport").status_code == 200
    assert mailbox.last_to(EMAIL).subject == "Confirm your email address"
    journeys.sign_out(client)

    signed_in = journeys.sign_in_with_passkey(client, phone)
    assert signed_in.get_json() == {"ok": True, "redirect": "/passport"}
    assert client.get("/passport").status_code == 200


def test_passkey_sign_in_options_carry_a_challenge_for_this_site(client):
    response = client.post("/sign-in/passkey/options", headers=csrf_header(client))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    options = response.get_json()
    assert options["rpId"] == "localhost"
    assert len(options["challenge"]) >= 22  # at least 16 random bytes, base64url
    again = client.post("/sign-in/passkey/options", headers=csrf_header(client)).get_json()
    assert again["challenge"] != options["challenge"]


def test_passkey_endpoints_refuse_a_request_without_the_csrf_header(client):
    response = client.post("/sign-in/passkey/options")
    assert response.status_code == 400
    assert response.mimetype == "text/html"

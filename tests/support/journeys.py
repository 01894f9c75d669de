"""Steps a person takes, shared by the functional tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.authenticator import SoftwareAuthenticator
from tests.support.mailbox import Mailbox
from tests.support.pages import confirm_email_prompt, csrf_token, soup


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def post_form(
    client: FlaskClient, url: str, data: dict[str, object], **kwargs: object
) -> TestResponse:
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(page), **data}, **kwargs)  # type: ignore[arg-type]


def sign_up(client: FlaskClient, mailbox: Mailbox, email: str) -> None:
    """Sign up with an e-mail link, as someone without JavaScript would."""
    response = post_form(client, "/sign-up", {"email": email, "method": "link"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    sign_in_from_email(client, mailbox, email)


def sign_in_from_email(client: FlaskClient, mailbox: Mailbox, email: str) -> TestResponse:
    link = path_of(mailbox.link_to(email, "/sign-in/link/"))
    response = post_form(client, link, {})
    assert response.status_code == 302, response.status_code
    return response


def add_need(client: FlaskClient, category: str, story: str) -> TestResponse:
    return post_form(client, "/passport/needs/new", {"category": category, "story": story})


def referral_path(response: TestResponse) -> str:
    match = re.search(r"/referrals/([0-9a-f-]{36})", response.headers["Location"])
    assert match, response.headers.get("Location")
    return f"/referrals/{match.group(1)}"


def refer(
    client: FlaskClient,
    slug: str,
    sections: list[str],
    message: str = "",
    days: str = "90",
) -> str:
    """Refer yourself to a service and send it; returns the referral's path."""
    path = draft_referral(client, slug, sections, message, days)
    sent = post_form(client, f"{path}/check", {})
    assert sent.status_code == 302
    return path


def open_share_as_org(org: FlaskClient, mailbox: Mailbox, org_email: str) -> str:
    """Open the share link from the organisation's e-mail and enter the code; returns its path."""
    link = path_of(mailbox.link_to(org_email, "/share/"))
    first = org.get(link)
    assert first.status_code == 200
    org.post(f"{link}/code/send", data={"csrf_token": csrf_token(first)})
    code = mailbox.code_to(org_email)
    entered = post_form(org, f"{link}/code", {"code": code})
    assert entered.status_code == 302, entered.get_data(as_text=True)[:800]
    return link


# Accounts -------------------------------------------------------------------------------------


def sign_up_link(client: FlaskClient, mailbox: Mailbox, email: str) -> str:
    """Ask to sign up with an e-mail link; returns the link's path, not yet used."""
    response = post_form(client, "/sign-up", {"email": email, "method": "link"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"] == "/check-your-email"
    return path_of(mailbox.link_to(email, "/sign-in/link/"))


def sign_in(client: FlaskClient, mailbox: Mailbox, email: str) -> TestResponse:
    """Sign in with a link sent to an existing passport's e-mail address."""
    mailbox.clear()
    response = post_form(client, "/sign-in", {"email": email})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return sign_in_from_email(client, mailbox, email)


def sign_out(client: FlaskClient) -> TestResponse:
    page = client.get("/passport")
    return client.post("/sign-out", data={"csrf_token": csrf_token(page)})


def add_about(client: FlaskClient, **details: str) -> TestResponse:
    return post_form(client, "/passport/about", details)


# Passkeys, with a software authenticator (tests/support/authenticator.py) -----------------------


def csrf_header(client: FlaskClient, page: str = "/sign-in") -> dict[str, str]:
    """The header app.js sends with its JSON posts, from a page this client can open."""
    return {"X-CSRFToken": csrf_token(client.get(page))}


def passkey_ceremony(
    client: FlaskClient,
    options_url: str,
    verify_url: str,
    answer: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    page: str,
) -> TestResponse:
    """What app.js does: post for options, let the authenticator answer, post the answer."""
    headers = csrf_header(client, page)
    options = client.post(options_url, headers=headers)
    assert options.status_code == 200, options.status_code
    return client.post(verify_url, json=answer(options.get_json()), headers=headers)


def sign_up_with_passkey(
    client: FlaskClient, authenticator: SoftwareAuthenticator, email: str
) -> TestResponse:
    """Sign up with a passkey: signed in at once, the e-mail address not yet confirmed."""
    chosen = post_form(client, "/sign-up", {"email": email, "method": "passkey"})
    assert chosen.headers["Location"] == "/sign-up/passkey", chosen.status_code
    return passkey_ceremony(
        client,
        "/sign-up/passkey/options",
        "/sign-up/passkey/verify",
        authenticator.create,
        page="/sign-up/passkey",
    )


def add_passkey(client: FlaskClient, authenticator: SoftwareAuthenticator) -> TestResponse:
    """Add a passkey from the sign-in details page."""
    return passkey_ceremony(
        client,
        "/account/passkeys/options",
        "/account/passkeys/verify",
        authenticator.create,
        page="/account",
    )


def sign_in_with_passkey(client: FlaskClient, authenticator: SoftwareAuthenticator) -> TestResponse:
    return passkey_ceremony(
        client,
        "/sign-in/passkey/options",
        "/sign-in/passkey/verify",
        authenticator.get,
        page="/sign-in",
    )


# Referrals ------------------------------------------------------------------------------------


def answer_questions(
    client: FlaskClient,
    slug: str,
    *,
    age: str = "30",
    postcode: str = "EB1 2AB",
    answer: str = "yes",
    **answers: str,
) -> TestResponse:
    """Answer a service's eligibility questions: the age and postcode given, and `answer` to
    each of its own questions (or the answer given by field name, e.g. `q-<id>`)."""
    path = f"/directory/services/{slug}/refer/questions"
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    data: dict[str, object] = {}
    for field in soup(page).select("form input"):
        name = str(field.get("name", ""))
        if name == "age":
            data[name] = age
        elif name == "postcode":
            data[name] = postcode
        elif name.startswith("q-"):
            data[name] = answers.get(name, answer)
    return client.post(path, data={"csrf_token": csrf_token(page), **data})


def open_referral_form(client: FlaskClient, slug: str, **answers: str) -> TestResponse:
    """The referral form of a service, after answering its questions if it asks any first
    (see answer_questions for what is answered)."""
    form = client.get(f"/directory/services/{slug}/refer")
    if form.status_code == 302 and form.headers["Location"].endswith("/refer/questions"):
        answered = answer_questions(client, slug, **answers)
        assert answered.status_code == 302, answered.get_data(as_text=True)[:800]
        form = client.get(f"/directory/services/{slug}/refer")
    return form


def draft_referral(
    client: FlaskClient,
    slug: str,
    sections: list[str],
    message: str = "",
    days: str = "90",
) -> str:
    """Fill in the referral form but do not send it; returns the referral's path."""
    open_referral_form(client, slug)
    response = post_form(
        client,
        f"/directory/services/{slug}/refer",
        {"sections": sections, "message": message, "share_days": days},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return referral_path(response)


# The organisation's side of a share link ------------------------------------------------------


def share_link(mailbox: Mailbox, org_email: str) -> str:
    """The path of the share link in the last e-mail the organisation received."""
    return path_of(mailbox.link_to(org_email, "/share/"))


def request_code(org: FlaskClient, link: str, mailbox: Mailbox, org_email: str) -> str:
    """Ask for a one-time code for a share link; returns the code from the e-mail."""
    before = len(mailbox.to(org_email))
    page = org.get(f"{link}/code")  # any page of the link gives a CSRF token; this one logs nothing
    response = org.post(f"{link}/code/send", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302, response.status_code
    assert len(mailbox.to(org_email)) == before + 1, "No code e-mail was sent"
    return mailbox.code_to(org_email)


def enter_code(org: FlaskClient, link: str, code: str) -> TestResponse:
    return post_form(org, f"{link}/code", {"code": code})


def other_code(code: str) -> str:
    """A six-digit code that is certainly not `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def enter_wrong_codes(
    org: FlaskClient, link: str, mailbox: Mailbox, org_email: str, rounds: int = 4
) -> TestResponse:
    """Ask for a code and enter it wrong five times, `rounds` times over (four rounds lock the
    link for good); returns the last answer."""
    for _round in range(rounds):
        code = request_code(org, link, mailbox, org_email)
        for _try in range(5):
            entered = enter_code(org, link, other_code(code))
    return entered


def ask_to_confirm_email(client: FlaskClient, page: str) -> TestResponse:
    """Press 'Email me a confirmation link' in the prompt on a page."""
    shown = client.get(page)
    back_to = confirm_email_prompt(shown)
    assert back_to is not None, f"No prompt to confirm the email address on {page}"
    return client.post(
        "/account/email/confirm",
        data={"csrf_token": csrf_token(shown), "next": back_to},
    )

"""Guessing and flooding are slowed down: after the limit, a clear 'too many times' page;
e-mails to one address are limited quietly."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support import journeys, pages, scenarios
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.mailbox import Mailbox

TOO_MANY = "You have tried too many times"


def assert_too_many(response: TestResponse) -> None:
    assert response.status_code == 429
    assert pages.heading(response) == TOO_MANY


def post_email(client: FlaskClient, path: str, token: str, email: str) -> TestResponse:
    return client.post(path, data={"csrf_token": token, "email": email, "method": "link"})


def from_elsewhere(app: Flask, number: int) -> FlaskClient:
    """Another browser, on another network."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = f"198.51.100.{number}"
    return browser


@pytest.mark.parametrize("path", ["/sign-in", "/sign-up"])
def test_emails_to_one_address_are_limited_quietly(app, client, mailbox: Mailbox, path: str):
    # Someone asks for links to a resident's address from many places: the resident gets
    # at most five e-mails an hour, and nobody is ever told no.
    email = f"limit-{scenarios.marker()}@example.net"
    phone = SoftwareAuthenticator()
    journeys.sign_up(client, mailbox, email)
    journeys.add_passkey(client, phone)
    journeys.sign_out(client)
    assert len(mailbox.to(email)) == 1  # the sign-up link

    for number in range(1, 8):
        browser = from_elsewhere(app, number)
        asked = post_email(browser, path, pages.csrf_token(browser.get(path)), email)
        assert asked.status_code == 302, number
        assert asked.headers["Location"] == "/check-your-email", number
        assert pages.heading(browser.get("/check-your-email")) == "Check your email", number
    assert len(mailbox.to(email)) == 5

    # The resident still signs in, by passkey (and by e-mail once the hour has passed).
    assert journeys.sign_in_with_passkey(client, phone).get_json()["ok"] is True
    assert client.get("/passport").status_code == 200


@pytest.mark.parametrize("path", ["/sign-in", "/sign-up"])
def test_requests_from_one_address_are_limited(client: FlaskClient, mailbox: Mailbox, path: str):
    token = pages.csrf_token(client.get(path))
    for attempt in range(10):
        email = f"many-{attempt}-{scenarios.marker()}@example.net"
        assert post_email(client, path, token, email).status_code == 302, attempt
    last = f"last-{scenarios.marker()}@example.net"
    assert_too_many(post_email(client, path, token, last))
    assert mailbox.to(last) == []


def test_code_entry_is_limited(client, org_client, mailbox, demo_directory):
    referred = scenarios.resident_with_referral(client, mailbox)
    first = org_client.get(referred.share_link)
    org_client.post(
        f"{referred.share_link}/code/send", data={"csrf_token": pages.csrf_token(first)}
    )
    right = mailbox.code_to(scenarios.ORG_EMAIL)
    wrong = journeys.other_code(right)
    page = org_client.get(f"{referred.share_link}/code")
    token = pages.csrf_token(page)
    for attempt in range(10):
        tried = org_client.post(
            f"{referred.share_link}/code", data={"csrf_token": token, "code": wrong}
        )
        assert tried.status_code == 200, attempt
    assert_too_many(
        org_client.post(f"{referred.share_link}/code", data={"csrf_token": token, "code": right})
    )
    assert pages.heading(org_client.get(referred.share_link)) == "We need to check it is you"


def test_code_sending_is_limited_per_link(client, org_client, mailbox, demo_directory, app):
    referred = scenarios.resident_with_referral(client, mailbox)
    token = pages.csrf_token(org_client.get(referred.share_link))
    send = f"{referred.share_link}/code/send"
    for attempt in range(3):
        assert org_client.post(send, data={"csrf_token": token}).status_code == 302, attempt
    codes_sent = len(mailbox.to(scenarios.ORG_EMAIL))
    assert_too_many(org_client.post(send, data={"csrf_token": token}))
    assert len(mailbox.to(scenarios.ORG_EMAIL)) == codes_sent

    # Another person's link to the same organisation still gets its code.
    other = scenarios.resident_with_referral(app.test_client(), mailbox)
    token = pages.csrf_token(org_client.get(other.share_link))
    sent = org_client.post(f"{other.share_link}/code/send", data={"csrf_token": token})
    assert sent.status_code == 302
    assert journeys.path_of(sent.headers["Location"]) == f"{other.share_link}/code"


def test_sending_new_links_for_one_referral_is_limited(client, mailbox, demo_directory):
    referred = scenarios.resident_with_referral(client, mailbox)
    token = pages.csrf_token(client.get(referred.referral))
    for attempt in range(3):
        sent = client.post(f"{referred.referral}/new-link", data={"csrf_token": token})
        assert sent.status_code == 302, attempt
    assert_too_many(client.post(f"{referred.referral}/new-link", data={"csrf_token": token}))

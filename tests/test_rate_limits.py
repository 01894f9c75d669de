"""Guessing and flooding are slowed down: after the limit, a clear 'too many times' page."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support import journeys, pages, scenarios
from tests.support.mailbox import Mailbox

TOO_MANY = "You have tried too many times"


def assert_too_many(response: TestResponse) -> None:
    assert response.status_code == 429
    assert pages.heading(response) == TOO_MANY


def post_email(client: FlaskClient, path: str, token: str, email: str) -> TestResponse:
    return client.post(path, data={"csrf_token": token, "email": email, "method": "link"})


@pytest.mark.parametrize("path", ["/sign-in", "/sign-up"])
def test_links_for_one_address_are_limited(client: FlaskClient, mailbox: Mailbox, path: str):
    email = f"limit-{scenarios.marker()}@example.net"
    token = pages.csrf_token(client.get(path))
    for attempt in range(5):
        assert post_email(client, path, token, email).status_code == 302, attempt
    assert len(mailbox.to(email)) == 5
    assert_too_many(post_email(client, path, token, email))
    assert len(mailbox.to(email)) == 5


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
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
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

"""Our own posts work over HTTPS without a Referer; posts from another site are refused.

We send `Referrer-Policy: no-referrer`, so browsers send no Referer and, on form posts, an
`Origin: null`. What tells our own pages from another site is Sec-Fetch-Site, else Origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from passport.database import db
from tests.conftest import make_settings
from tests.support import journeys, pages, scenarios
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.mailbox import Mailbox

HTTPS = "https://localhost"
OUT_OF_DATE = "Your page was out of date"

# What browsers send from our own pages. Chromium sends the first for every form post.
OUR_OWN = {
    "form post under no-referrer": {"Sec-Fetch-Site": "same-origin", "Origin": "null"},
    "fetch from our page": {"Sec-Fetch-Site": "same-origin", "Origin": HTTPS},
    "typed by the person": {"Sec-Fetch-Site": "none"},
    "Origin only (older resident)": {"Origin": HTTPS},
    "no browser headers": {},
}

# What a post from another site carries, with a valid token (as if it had stolen one).
ANOTHER_SITE = {
    "cross-site": {"Sec-Fetch-Site": "cross-site"},
    "same-site": {"Sec-Fetch-Site": "same-site"},
    "cross-site, whatever Origin says": {"Sec-Fetch-Site": "cross-site", "Origin": "null"},
    "another origin": {"Origin": "https://evil.example"},
    "a look-alike host": {"Origin": "http://localhost.evil.example"},
    "another port": {"Origin": "http://localhost:8080"},
    "our host over https (we are http)": {"Origin": HTTPS},
}


@pytest.fixture(scope="module")
def https_app(
    app: Flask, instance_dir: Path, database_url: str, mailbox: Mailbox
) -> Iterator[Flask]:
    """Production settings at https://localhost; the test client speaks https (Secure cookies)."""
    from passport import create_app

    settings = make_settings(
        instance_dir, database_url, mailbox.port, env="production", base_url=HTTPS
    )
    application = create_app(
        {"SETTINGS": settings, "TESTING": True, "PREFERRED_URL_SCHEME": "https"}
    )
    application.test_client_class = pages.CheckedClient
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def resident(https_app: Flask) -> FlaskClient:
    return https_app.test_client()


@pytest.fixture
def organisation(https_app: Flask) -> FlaskClient:
    return https_app.test_client()


def add_need(client: FlaskClient, story: str, headers: dict[str, str]) -> TestResponse:
    return journeys.post_form(
        client, "/passport/needs/new", {"category": "money", "story": story}, headers=headers
    )


def test_the_whole_referral_works_over_https_without_a_referer(
    resident: FlaskClient, organisation: FlaskClient, mailbox: Mailbox, demo_directory: None
):
    referred = scenarios.resident_with_referral(resident, mailbox)
    link = journeys.open_share_as_org(organisation, mailbox, scenarios.ORG_EMAIL)
    page = organisation.get(link)
    assert page.request.url.startswith(f"{HTTPS}/")
    assert referred.story in pages.text(page)
    accepted = organisation.post(f"{link}/accept", data={"csrf_token": pages.csrf_token(page)})
    assert accepted.status_code == 302, pages.heading(accepted)
    assert pages.status(resident.get(referred.referral)) == "Accepted"


def test_passkey_posts_work_over_https_without_a_referer(resident: FlaskClient, mailbox: Mailbox):
    journeys.sign_up(resident, mailbox, f"{scenarios.marker()}@example.net")
    phone = SoftwareAuthenticator(origin=HTTPS)
    added = journeys.add_passkey(resident, phone)
    assert added.status_code == 200 and added.get_json()["ok"] is True
    assert journeys.sign_out(resident).status_code == 302
    assert journeys.sign_in_with_passkey(resident, phone).status_code == 200
    assert resident.get("/passport").status_code == 200


@pytest.mark.parametrize("headers", OUR_OWN.values(), ids=OUR_OWN.keys())
def test_posts_from_our_own_pages_are_accepted_over_https(
    resident: FlaskClient, mailbox: Mailbox, headers: dict[str, str]
):
    journeys.sign_up(resident, mailbox, f"{scenarios.marker()}@example.net")
    story = f"My story {scenarios.marker()}"
    assert add_need(resident, story, headers).status_code == 302
    assert story in pages.text(resident.get("/passport"))


@pytest.mark.parametrize("headers", ANOTHER_SITE.values(), ids=ANOTHER_SITE.keys())
def test_a_form_post_from_another_site_is_refused(
    client: FlaskClient, mailbox: Mailbox, headers: dict[str, str]
):
    journeys.sign_up(client, mailbox, f"{scenarios.marker()}@example.net")
    story = f"My story {scenarios.marker()}"
    refused = add_need(client, story, headers)
    assert refused.status_code == 400
    assert pages.heading(refused) == OUT_OF_DATE
    assert story not in pages.text(client.get("/passport"))


@pytest.mark.parametrize("headers", ANOTHER_SITE.values(), ids=ANOTHER_SITE.keys())
def test_a_passkey_post_from_another_site_is_refused(
    client: FlaskClient, mailbox: Mailbox, headers: dict[str, str]
):
    journeys.sign_up(client, mailbox, f"{scenarios.marker()}@example.net")
    token = journeys.csrf_header(client, "/account")
    refused = client.post("/account/passkeys/options", headers={**token, **headers})
    assert refused.status_code == 400
    assert pages.heading(refused) == OUT_OF_DATE
    ours = client.post("/account/passkeys/options", headers=token)
    assert ours.status_code == 200  # the same request without the other site's headers


def test_reading_pages_from_another_site_is_not_refused(client: FlaskClient):
    # Links from e-mails and other sites are cross-site navigations: only changes are refused.
    opened = client.get("/sign-in", headers={"Sec-Fetch-Site": "cross-site"})
    assert opened.status_code == 200

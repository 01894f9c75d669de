"""Steps a member of staff takes, shared by the staff tests."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from passport.database import db
from passport.directory.models import Organisation
from tests.support import journeys, pages
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.mailbox import Mailbox

INVITATION = "/staff/invitations/"


def organisation_slugs(app: Flask) -> list[str]:
    """The demo directory's organisations, by slug."""
    with app.app_context():
        slugs = list(db.session.scalars(select(Organisation.slug).order_by(Organisation.slug)))
        db.session.remove()
    return slugs


def invite(app: Flask, mailbox: Mailbox, email: str, role: str, org: str = "") -> str:
    """`passport staff invite`; returns the invitation's path from the e-mail it sent."""
    args = ["staff", "invite", "--email", email, "--role", role]
    if org:
        args += ["--org", org]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return journeys.path_of(mailbox.link_to(email, INVITATION))


def accept(browser: FlaskClient, invitation: str) -> TestResponse:
    """Accept an invitation without a passkey (as without JavaScript)."""
    return journeys.post_form(browser, invitation, {})


def accept_with_passkey(
    browser: FlaskClient, invitation: str, authenticator: SoftwareAuthenticator
) -> TestResponse:
    return journeys.passkey_ceremony(
        browser,
        f"{invitation}/passkey/options",
        f"{invitation}/passkey/verify",
        authenticator.create,
        page=invitation,
    )


def join(
    app: Flask, browser: FlaskClient, mailbox: Mailbox, email: str, role: str, org: str = ""
) -> TestResponse:
    """Invited by the command and accepted: `browser` is signed in for work."""
    accepted = accept(browser, invite(app, mailbox, email, role, org))
    assert accepted.status_code == 302, accepted.status_code
    return accepted


def sign_in(browser: FlaskClient, mailbox: Mailbox, email: str) -> TestResponse:
    """Sign in for work with an e-mail link."""
    mailbox.clear()
    asked = journeys.post_form(browser, "/staff/sign-in", {"email": email})
    assert asked.status_code == 302, asked.status_code
    link = journeys.path_of(mailbox.link_to(email, "/staff/sign-in/link/"))
    return journeys.post_form(browser, link, {})


def sign_in_with_passkey(
    browser: FlaskClient, authenticator: SoftwareAuthenticator
) -> TestResponse:
    return journeys.passkey_ceremony(
        browser,
        "/staff/sign-in/passkey/options",
        "/staff/sign-in/passkey/verify",
        authenticator.get,
        page="/staff/sign-in",
    )


def sign_out(browser: FlaskClient) -> TestResponse:
    page = browser.get("/staff")
    return browser.post("/staff/sign-out", data={"csrf_token": pages.csrf_token(page)})


def member_ids(browser: FlaskClient, org: str) -> dict[str, str]:
    """The team page's members: e-mail address -> membership id (from its links)."""
    found = {}
    for row in pages.soup(browser.get(f"/staff/{org}/team")).select("tbody tr"):
        cells = row.find_all("td")
        link = row.find("a")
        email = cells[0].get_text().split()[0]
        found[email] = str(link["href"]).rsplit("/", 1)[1]
    return found


def add_passkey(browser: FlaskClient, authenticator: SoftwareAuthenticator) -> TestResponse:
    """Add a passkey from the staff's sign-in details page."""
    return journeys.passkey_ceremony(
        browser,
        "/staff/account/passkeys/options",
        "/staff/account/passkeys/verify",
        authenticator.create,
        page="/staff/account",
    )

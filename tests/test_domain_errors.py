"""Services know nothing of the request: they refuse with domain errors, not Flask's abort
(handlers answer with a page, or with JSON on the API's paths, under /api/), and build no
URLs (an e-mail's template does), so they also run where there is no request."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, session
from flask.testing import FlaskClient

from passport import clock, notify
from passport.access import public
from passport.database import db, owned_or_404
from passport.directory import service as directory
from passport.errors import NotFoundError
from passport.referrals import service as referrals
from passport.referrals.models import Referral
from passport.sharing import service as sharing
from passport.sharing.models import AccessEvent
from tests.conftest import make_settings
from tests.support import journeys, pages
from tests.support.mailbox import Mailbox
from tests.support.scenarios import ORG_EMAIL, SERVICE, resident_with_referral


def test_a_missing_or_someone_elses_thing_is_a_domain_error(app, demo_directory):
    with app.app_context():
        with pytest.raises(NotFoundError):
            directory.get_service_or_404("no-such-service")
        with pytest.raises(NotFoundError):
            owned_or_404(Referral, uuid.uuid4(), passport_id=uuid.uuid4())
        with pytest.raises(NotFoundError):
            referrals.referral_for_grant(uuid.uuid4())


def test_changing_a_referral_that_was_sent_meanwhile_is_a_status_change(
    app, client, mailbox, demo_directory
):
    # Say the resident sends the draft in one tab, then saves a change to it in another.
    referred = resident_with_referral(client, mailbox)
    referral_id = uuid.UUID(referred.referral.rsplit("/", 1)[1])
    with app.test_request_context():
        referral = db.session.get_one(Referral, referral_id)
        service = directory.get_service_or_404(SERVICE)
        with pytest.raises(referrals.StatusChangedError):
            referrals.save_draft(referral.passport, service, ["about"], "Changed", 30, referral)


def test_a_referral_is_sent_outside_a_request_and_its_email_links_to_the_share(
    app, client, org_client, mailbox, demo_directory
):
    # As a command or a job would send it: an app, a database, no request.
    journeys.sign_up(client, mailbox, "no-request@example.net")
    draft = journeys.draft_referral(client, SERVICE, ["about"]).removesuffix("/check")
    with app.app_context():
        referral = db.session.get_one(Referral, uuid.UUID(draft.rsplit("/", 1)[1]))
        referrals.send(referral.passport, referral)
        db.session.commit()
        notify.send_pending()
    link = mailbox.link_to(ORG_EMAIL, "/share/")
    assert link.startswith("http://localhost/share/")
    assert org_client.get(journeys.path_of(link)).status_code == 200


def test_an_answer_outside_a_request_emails_the_resident_a_link_to_the_referral(
    app, client, mailbox, demo_directory
):
    referred = resident_with_referral(client, mailbox, email="answered@example.net")
    with app.app_context():
        referral = db.session.get_one(Referral, uuid.UUID(referred.referral.rsplit("/", 1)[1]))
        assert referrals.accept(referral)
        db.session.commit()
        notify.send_pending()
    assert mailbox.link_to(referred.email, "/referrals/") == f"http://localhost{referred.referral}"


def test_a_code_is_checked_and_the_passport_shown_outside_a_request(
    app, client, org_client, mailbox, demo_directory
):
    # Which browser has entered the code is the web edge's to remember, not the service's.
    referred = resident_with_referral(client, mailbox)
    code = journeys.request_code(org_client, referred.share_link, mailbox, ORG_EMAIL)
    look = uuid.uuid4()
    with app.app_context():
        state, link = sharing.find_link(referred.share_link.rsplit("/", 1)[1])
        assert link is not None and state is sharing.LinkState.OK
        assert sharing.check_code(link, code)[0] is sharing.CodeResult.OK
        assert sharing.granted_view(link, look).sections == ["about", "money"]
        db.session.commit()
        assert db.session.get_one(AccessEvent, look).grant_id == link.grant_id


@pytest.mark.parametrize("kept", [{"event": str(uuid.UUID(int=7))}, {}])
def test_a_visit_begun_by_the_older_code_keeps_one_look(app, kept):
    # Its cookie named the look "event" once logged, or not at all before the first page.
    from passport.organisations import access
    from passport.sharing.models import ShareLink

    link = ShareLink(grant_id=uuid.uuid4(), token_hash="x", created_at=clock.now())
    visit = {"until": (clock.now() + sharing.ACCESS_LIFETIME).isoformat(), **kept}
    with app.test_request_context():
        session[access.VISITS] = {str(link.id): visit}
        assert access.has_access(link)
        look = access.look_of_this_visit(link)
        assert access.look_of_this_visit(link) == look
        if kept:
            assert look == uuid.UUID(kept["event"])


def test_a_passkey_challenge_is_kept_and_spent_outside_a_request(app):
    # The browser's session carries the challenge's id; the accounts views keep it there.
    from passport.accounts import passkeys
    from passport.accounts.models import WebAuthnChallenge

    with app.app_context():
        ceremony = passkeys.authentication_options()
        db.session.commit()
        assert db.session.get_one(WebAuthnChallenge, ceremony.challenge_id).purpose == "sign-in"
        with pytest.raises(passkeys.PasskeyError, match="names no challenge"):
            passkeys.verify_authentication({"response": {}}, ceremony.challenge_id)
        with pytest.raises(passkeys.PasskeyError, match="expired or was already used"):
            passkeys.verify_authentication({"response": {}}, ceremony.challenge_id)
        with pytest.raises(passkeys.PasskeyError, match="No passkey request"):
            passkeys.verify_authentication({"response": {}}, None)


def _raise(error: Exception) -> None:
    raise error


@pytest.fixture(scope="module")
def errors_app(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, mailbox: Mailbox
) -> Iterator[Flask]:
    """The app with a few routes that raise, on a page and on the API's paths."""
    from passport import create_app

    instance: Path = tmp_path_factory.mktemp("errors-instance")
    settings = make_settings(instance, database_url, mailbox.port)
    application = create_app({"SETTINGS": settings, "TESTING": True})
    application.test_client_class = pages.CheckedClient
    changed = referrals.StatusChangedError(uuid.uuid4())
    routes = {
        "/probe/missing": lambda: directory.get_service_or_404("no-such-service"),
        "/api/probe/missing": lambda: directory.get_service_or_404("no-such-service"),
        "/api/probe/status-changed": lambda: _raise(changed),
    }
    for path, view in routes.items():
        application.add_url_rule(path, path, public(view))
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def errors_client(errors_app: Flask) -> FlaskClient:
    return errors_app.test_client()


def test_not_found_on_a_page_is_the_not_found_page(errors_client):
    response = errors_client.get("/probe/missing")
    assert response.status_code == 404
    assert pages.heading(response) == "Page not found"


def test_not_found_on_the_api_is_json(errors_client):
    response = errors_client.get("/api/probe/missing")
    assert (response.status_code, response.json) == (
        404,
        {"status": 404, "error": "not-found", "message": "Not found."},
    )


def test_a_status_change_on_the_api_is_a_conflict_in_json(errors_client):
    response = errors_client.get("/api/probe/status-changed")
    assert response.status_code == 409
    assert response.json is not None
    assert (response.json["status"], response.json["error"]) == (409, "status-changed")


def test_an_unknown_api_path_is_json(errors_client):
    response = errors_client.get("/api/no-such-thing")
    assert (response.status_code, response.json) == (
        404,
        {"status": 404, "error": "not-found", "message": "Not Found."},
    )

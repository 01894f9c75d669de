"""A referral stays readable when its service leaves the directory; nothing more is sent."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from sqlalchemy import delete, select, update

from passport.database import db
from passport.directory.models import Organisation, Service
from passport.referrals.models import Referral
from passport.sharing.models import ShareGrant
from tests.support import journeys, pages
from tests.support.scenarios import ORG_EMAIL, SERVICE, Referred, resident_with_referral

SERVICE_NAME = "Debt advice drop-in"
ORGANISATION = "Eastbridge Advice Centre"
LEFT = "This service is no longer in the directory"


def _remove_service(app: Flask, slug: str = SERVICE) -> None:
    with app.app_context():
        db.session.delete(db.session.scalar(select(Service).where(Service.slug == slug)))
        db.session.commit()


def _remove_organisation(app: Flask) -> None:
    with app.app_context():
        # The database removes its services with it (ON DELETE CASCADE).
        db.session.execute(delete(Organisation).where(Organisation.name == ORGANISATION))
        db.session.commit()


def _referral_id(path: str) -> uuid.UUID:
    return uuid.UUID(path.rsplit("/", 1)[1])


@pytest.fixture
def referred(app, client, mailbox, demo_directory) -> Referred:
    return resident_with_referral(client, mailbox)


def test_the_referral_page_names_the_service_it_had(app, client, referred):
    _remove_service(app)
    page = client.get(referred.referral)
    assert page.status_code == 200
    assert pages.heading(page) == f"Your referral to {SERVICE_NAME}"
    assert ORGANISATION in pages.text(page)
    assert "This service is no longer in the directory." in pages.text(page)
    assert pages.status(page) == "Sent"
    assert not [href for _, href in pages.links(page) if href.startswith("/directory/services/")]


def test_the_lists_that_name_a_referral_still_show(app, client, org_client, mailbox, referred):
    link = journeys.open_share_as_org(org_client, mailbox, ORG_EMAIL)
    assert org_client.get(link).status_code == 200  # a look, for the access log
    _remove_service(app)
    for path in ("/referrals", "/passport", "/passport/looked-at"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert SERVICE_NAME in pages.text(page), path


def test_the_organisation_can_still_read_and_answer_it(app, client, org_client, mailbox, referred):
    _remove_service(app)
    code = journeys.request_code(org_client, referred.share_link, mailbox, ORG_EMAIL)
    opened = journeys.enter_code(org_client, referred.share_link, code)
    assert opened.status_code == 302
    page = org_client.get(referred.share_link)
    assert page.status_code == 200
    assert pages.heading(page) == f"Referral for {SERVICE_NAME}"
    decline = org_client.get(f"{referred.share_link}/decline")
    assert decline.status_code == 200
    assert SERVICE_NAME in pages.text(decline)


def test_the_resident_can_still_withdraw_it(app, client, org_client, mailbox, referred):
    _remove_service(app)
    page = client.get(f"{referred.referral}/withdraw")
    assert page.status_code == 200
    withdrawn = journeys.post_form(client, f"{referred.referral}/withdraw", {})
    assert withdrawn.status_code == 302
    assert pages.status(client.get(referred.referral)) == "Withdrawn"
    assert org_client.get(referred.share_link).status_code == 410


def test_an_older_referral_without_the_names_still_reads(app, client, referred):
    # Made before the names were kept: the share still names the organisation.
    with app.app_context():
        db.session.execute(
            update(Referral).values(service_name_sealed=None, organisation_name_sealed=None)
        )
        db.session.commit()
    _remove_service(app)
    page = client.get(referred.referral)
    assert page.status_code == 200
    assert pages.heading(page) == "Your referral to a service no longer listed"
    assert ORGANISATION in pages.text(page)


def test_the_referral_reads_when_the_whole_organisation_has_left(app, client, referred):
    _remove_organisation(app)
    page = client.get(referred.referral)
    assert page.status_code == 200
    assert pages.heading(page) == f"Your referral to {SERVICE_NAME}"
    assert ORGANISATION in pages.text(page)


def test_a_draft_to_a_service_that_has_left_cannot_be_sent(app, client, mailbox, demo_directory):
    journeys.sign_up(client, mailbox, "drafting@example.net")
    draft = journeys.draft_referral(client, SERVICE, ["about"])
    _remove_service(app)
    mailbox.clear()
    for path in (f"{draft}/check", f"{draft}/change"):
        page = client.get(path)
        assert page.status_code == 410, path
        assert pages.heading(page) == LEFT
    sent = journeys.post_form(client, f"{draft}/check", {})
    assert sent.status_code == 410
    with app.app_context():
        referral = db.session.get_one(Referral, _referral_id(draft.removesuffix("/check")))
        assert (referral.status, referral.grant_id) == ("draft", None)
        assert db.session.scalar(select(ShareGrant)) is None
    assert mailbox.to(ORG_EMAIL) == []

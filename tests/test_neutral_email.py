"""Whoever else reads an inbox learns nothing from our e-mails' senders and subjects: not
what someone needs help with, not the service they asked, not this site's name. Every
e-mail the journeys send is checked, in English and in Welsh."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.support import NullTranslations, Translations
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select

from passport import config, taxonomy
from passport.database import db
from passport.directory.models import Organisation
from passport.extensions import limiter
from tests.support import journeys, pages
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.mailbox import Mailbox, ReceivedEmail

ROOT = Path(__file__).resolve().parents[1]
DEMO = json.loads((ROOT / "passport" / "demo" / "directory.hsds.json").read_text())

# A referral that names a need if anything does.
SERVICE = "domestic-abuse-helpline"
ORG_EMAIL = "referrals@safeharbour-eastbridge.example.org"

NEUTRAL_SUBJECTS = (
    "Your sign-in link",
    "Your sign-in request",  # to an address with no passport
    "Confirm your email address",
    "A new referral",
    "Your code",
    "A link you shared has been locked",
    "A new link to a referral",
    "There is an update",
)
# Parts of words, so that plurals and compounds are caught too.
REVEALING_PARTS = ("need", "passport", "angen", "anghen", "pasbort")


def translator(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    return Translations.load(str(ROOT / "passport" / "i18n"), [language], "messages")


def revealing_names(app: Flask) -> set[str]:
    """Every organisation, service and kind of need, in English and in Welsh."""
    names = set()
    for organisation in DEMO:
        names.add(organisation["name"])
        names.update(service["name"] for service in organisation["services"])
    with app.test_request_context():
        for language in ("en", "cy"):
            with force_locale(language):
                names.update(str(category.name) for category in taxonomy.CATEGORIES)
    return names


def revealed(app: Flask, text: str) -> list[str]:
    lowered = text.lower()
    found = [part for part in REVEALING_PARTS if part in lowered]
    found += sorted(
        name
        for name in revealing_names(app)
        if re.search(rf"\b{re.escape(name.lower())}\b", lowered)
    )
    return found


@pytest.fixture
def no_rate_limits() -> Iterator[None]:
    limiter.enabled = False
    yield
    limiter.enabled = True


def choose_language(client: FlaskClient, language: str) -> None:
    page = client.get("/")
    client.post("/language", data={"csrf_token": pages.csrf_token(page), "lang": language})


def every_kind_of_email(
    app: Flask, client: FlaskClient, org: FlaskClient, mailbox: Mailbox, language: str
) -> list[ReceivedEmail]:
    """A resident, a passkey resident and someone with no passport, and an organisation that
    locks its link, gets a new one and accepts, all in one language."""
    with app.app_context():
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.referral_email == ORG_EMAIL)
        )
        assert organisation is not None
        organisation.language = language
        db.session.commit()
    resident = f"resident-{language}@example.net"
    choose_language(client, language)
    journeys.sign_up(client, mailbox, resident)

    stranger = app.test_client()
    choose_language(stranger, language)
    journeys.post_form(stranger, "/sign-in", {"email": f"nobody-{language}@example.net"})

    passkey_resident = app.test_client()
    choose_language(passkey_resident, language)
    journeys.sign_up_with_passkey(
        passkey_resident, SoftwareAuthenticator(), f"passkey-{language}@example.net"
    )

    journeys.add_need(client, "domestic_abuse", "He reads my post.")
    referral = journeys.refer(client, SERVICE, ["about", "domestic_abuse"])
    link = journeys.share_link(mailbox, ORG_EMAIL)
    journeys.enter_wrong_codes(org, link, mailbox, ORG_EMAIL)
    new_link = journeys.post_form(client, f"{referral}/new-link", {})
    assert new_link.status_code == 302
    link = journeys.share_link(mailbox, ORG_EMAIL)
    code = journeys.request_code(org, link, mailbox, ORG_EMAIL)
    assert journeys.enter_code(org, link, code).status_code == 302
    assert journeys.post_form(org, f"{link}/accept", {}).status_code == 302
    return mailbox.messages


@pytest.mark.parametrize("language", ["en", "cy"])
def test_no_sender_or_subject_says_what_anyone_needs(
    app, client, org_client, mailbox, demo_directory, no_rate_limits, language
):
    emails = every_kind_of_email(app, client, org_client, mailbox, language)

    kinds = set()
    translations = translator(language)
    for email in emails:
        neutral = {translations.gettext(subject): subject for subject in NEUTRAL_SUBJECTS}
        assert email.subject in neutral, email.subject
        kinds.add(neutral[email.subject])
        assert revealed(app, email.subject) == [], email.subject
        assert email.sender == config.DEFAULT_MAIL_FROM
    # Every kind was sent: nothing here passes for want of an e-mail.
    assert kinds == set(NEUTRAL_SUBJECTS)
    assert revealed(app, config.DEFAULT_MAIL_FROM) == []


def test_the_names_that_would_give_a_need_away_are_found(app):
    assert revealed(app, "New referral for Domestic abuse helpline") == [
        "Domestic abuse",
        "Domestic abuse helpline",
    ]
    assert revealed(app, "Your Needs Passport code") == ["need", "passport"]
    assert revealed(app, "Eich cod Pasbort Anghenion") == ["anghen", "pasbort"]
    assert revealed(app, "Cymorth: cam-drin domestig") == ["Cam-drin domestig"]
    assert revealed(app, "Your code") == []


def test_the_sender_is_neutral_unless_the_operator_sets_one(monkeypatch, tmp_path):
    monkeypatch.setenv("PASSPORT_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("PASSPORT_MAIL_FROM", raising=False)
    assert config.load_settings().mail_from == config.DEFAULT_MAIL_FROM

    monkeypatch.setenv("PASSPORT_MAIL_FROM", "Eastbridge Council <no-reply@eastbridge.example>")
    assert config.load_settings().mail_from == "Eastbridge Council <no-reply@eastbridge.example>"

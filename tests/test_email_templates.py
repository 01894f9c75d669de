"""Every e-mail is a named template (passport/templates/emails) whose words are the messages
the catalogue already translates: in English, byte for byte what was sent before the move;
in Welsh, the catalogue's translation of those same messages."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from babel.support import Translations
from flask import Flask
from flask_babel import force_locale, lazy_ngettext

from passport import notify

ROOT = Path(__file__).resolve().parents[1]
URL = "http://localhost/sign-in/link/abc"
REFERRAL_ID = uuid.UUID("12345678-1234-5678-1234-567812345678")

# name: (subject, body, values) exactly as the views and services wrote them before.
EMAILS: dict[str, tuple[str, str, dict[str, object]]] = {
    "confirm_email": (
        "Confirm your email address",
        "Confirm your email address so we can tell you when an organisation replies "
        "to you:\n\n%(url)s\n\nThe link works once and stops working after 30 minutes. "
        "If you did not create a passport, you can ignore this email.",
        {"url": URL},
    ),
    "sign_in_link": (
        "Your sign-in link",
        "Use this link to sign in:\n\n%(url)s\n\nThe link works once "
        "and stops working after 30 minutes. If you did not ask to sign in, you can "
        "ignore this email.",
        {"url": URL},
    ),
    "no_account": (
        "Your sign-in request",
        "Someone asked to sign in with this email address, but there is no account "
        "for it.\n\nTo create one, go to:\n\n%(url)s\n\nIf it was not you, you can "
        "ignore this email.",
        {"url": URL},
    ),
    "access_code": (
        "Your code",
        "Your code to open a Needs Passport referral is %(code)s\n\nIt stops "
        "working after 15 minutes. If you did not ask for it, you can ignore this "
        "email.",
        {"code": "012345"},
    ),
    "new_referral": (
        "A new referral",
        "Someone has referred themself to %(service)s through Needs Passport.\n\n"
        "To see the referral, open this link:\n\n%(url)s\n\nWe will email a "
        "one-time code to this address to check it is you. The link stops "
        "working after %(period)s or if the person stops sharing.",
        {"service": "Housing & advice <Eastbridge>", "token": "abc", "period": "PERIOD"},
    ),
    "new_link": (
        "A new link to a referral",
        "Someone who referred themself to %(service)s through Needs Passport has "
        "sent you a new link, because the last one was locked after the wrong "
        "code was entered too many times.\n\nTo see the referral, open this "
        "link:\n\n%(url)s\n\nWe will email a one-time code to this address to "
        "check it is you. The link stops working when the time the person chose "
        "for sharing ends, or if they stop sharing.",
        {"service": "Housing & advice <Eastbridge>", "token": "abc"},
    ),
    "referral_update": (
        "There is an update",
        "An organisation has replied to a referral you made.\n\nSign in to see "
        "the update:\n\n%(url)s",
        {"referral_id": REFERRAL_ID},
    ),
    "referral_opened": (
        "A referral you made has been opened",
        "An organisation has opened a referral you made.\n\nSign in to see where it is:\n\n%(url)s",
        {"referral_id": REFERRAL_ID},
    ),
    "referral_message": (
        "You have a new message about a referral",
        "You have a new message about a referral you made.\n\nSign in to read it:\n\n%(url)s",
        {"referral_id": REFERRAL_ID},
    ),
    "referral_message_to_organisation": (
        "You have a new message about a referral",
        "You have a new message about a referral to %(service)s made through Needs "
        "Passport.\n\nTo read it, open the link in the email we sent you about this "
        "referral. We will email a one-time code to this address to check it is you.",
        {"service": "Housing & advice <Eastbridge>"},
    ),
    "referral_withdrawn": (
        "A referral has been withdrawn",
        "Someone who referred themself to %(service)s through Needs Passport has withdrawn the "
        "referral. They no longer share their details with you, and the link we sent you no "
        "longer works.",
        {"service": "Housing & advice <Eastbridge>"},
    ),
    "link_locked": (
        "A link you shared has been locked",
        "We sent an organisation a link to a referral you made. The wrong code was "
        "entered on it too many times, so we have locked it to keep your details "
        "safe.\n\nIf you still want them to see your referral, sign in to send "
        "them a new link:\n\n%(url)s",
        {"referral_id": REFERRAL_ID},
    ),
    "staff_invitation": (
        "You are invited to Needs Passport",
        "You are invited to join %(organisation)s on Needs Passport, as: %(role)s.\n\n"
        "To accept, go to:\n\n%(url)s\n\nThe link works once and stops working after "
        "%(days)s days. If you were not expecting this, you can ignore this email.",
        {"token": "abc", "organisation": "Advice & more <Eastbridge>", "role": "Admin", "days": 7},
    ),
    "staff_sign_in_link": (
        "Your sign-in link for work",
        "Use this link to sign in for work:\n\n%(url)s\n\nThe link works once and stops "
        "working after 30 minutes. If you did not ask to sign in, you can ignore this email.",
        {"token": "abc"},
    ),
    "staff_no_account": (
        "Your sign-in request for work",
        "Someone asked to sign in for work with this email address, but it has no work "
        "account.\n\nTo get one, ask your organisation's admin to invite you. If it was not "
        "you, you can ignore this email.",
        {},
    ),
    "chaser_reminder": (
        "A referral has not been opened",
        "A referral to %(service)s has not been opened. It was sent through Needs Passport "
        "on %(sent)s.\n\nTo see it, use the link in the first email we sent to this "
        "address about it. We cannot send the link again: it opens someone's details.\n\n"
        "If you cannot find the email, the person who made the referral may still be "
        "waiting for you.",
        {"service": "Housing & advice <Eastbridge>", "sent": "7 December 2026"},
    ),
    "chaser_escalation": (
        "A referral has not been opened after 5 working days",
        "A referral to %(service)s at %(organisation)s has not been opened after %(days)s "
        "working days. It was sent on %(sent)s. We reminded the organisation after 2 "
        "working days.\n\nPlease check that the organisation's referral email address is "
        "right and that the service is still taking referrals:\n\n%(url)s",
        {
            "service": "Housing & advice <Eastbridge>",
            "organisation": "Advice & more <Eastbridge>",
            "days": 5,
            "sent": "7 December 2026",
        },
    ),
    "referral_not_opened": (
        "A referral you made has not been opened yet",
        "An organisation has not opened a referral you made, 5 working days after you sent "
        "it. We have reminded them, and told the people who run the directory.\n\nYou can "
        "keep waiting, or sign in to see similar services you could refer yourself to:"
        "\n\n%(url)s",
        {"referral_id": REFERRAL_ID},
    ),
}


# The links a template builds itself, from a token or an id (services build no URLs).
BUILT = {
    "new_referral": "http://localhost/share/abc",
    "new_link": "http://localhost/share/abc",
    "referral_update": f"http://localhost/referrals/{REFERRAL_ID}",
    "link_locked": f"http://localhost/referrals/{REFERRAL_ID}",
    "referral_message": f"http://localhost/referrals/{REFERRAL_ID}",
    "referral_opened": f"http://localhost/referrals/{REFERRAL_ID}",
    "staff_invitation": "http://localhost/staff/invitations/abc",
    "staff_sign_in_link": "http://localhost/staff/sign-in/link/abc",
    "chaser_escalation": "http://localhost/staff/directory",
    "referral_not_opened": f"http://localhost/referrals/{REFERRAL_ID}/similar",
}


def _words(name: str, values: dict[str, object]) -> dict[str, object]:
    """The values the sentence is written with: a link the template builds, as it should be."""
    return values | ({"url": BUILT[name]} if name in BUILT else {})


def test_every_email_template_is_covered_here():
    names = {path.stem for path in (ROOT / "passport" / "templates" / "emails").glob("*.txt")}
    assert names == set(EMAILS)


@pytest.mark.parametrize("name", sorted(EMAILS))
def test_an_email_in_english_is_word_for_word_what_was_sent_before(app: Flask, name: str):
    subject, body, values = EMAILS[name]
    with app.test_request_context():
        email = notify.render(name, "someone@example.net", language="en", **values)
    assert email == notify.Email(
        to="someone@example.net", subject=subject, body=body % _words(name, values)
    )


@pytest.mark.parametrize("name", sorted(EMAILS))
def test_an_email_in_welsh_is_the_catalogues_translation(app: Flask, name: str):
    welsh = Translations.load(str(ROOT / "passport" / "i18n"), ["cy"], "messages")
    subject, body, values = EMAILS[name]
    assert welsh.gettext(subject) != subject and welsh.gettext(body) != body
    with app.test_request_context():
        email = notify.render(name, "someone@example.net", language="cy", **values)
    assert email.subject == welsh.gettext(subject)
    assert email.body == welsh.gettext(body) % _words(name, values)


def test_a_lazy_value_is_written_in_the_emails_language_not_the_pages(app: Flask):
    values = EMAILS["new_referral"][2] | {
        "period": lazy_ngettext("%(num)s month", "%(num)s months", 3)
    }
    welsh = Translations.load(str(ROOT / "passport" / "i18n"), ["cy"], "messages")
    in_welsh = welsh.ngettext("%(num)s month", "%(num)s months", 3) % {"num": 3}
    assert in_welsh != "3 months"
    with app.test_request_context(), force_locale("en"):
        email = notify.render("new_referral", "org@example.org", language="cy", **values)
    assert in_welsh in email.body

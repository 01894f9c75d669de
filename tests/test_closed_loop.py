"""The referral loop closed both ways (issue 10). Whatever happens to a referral that the
resident should know of reaches them through notices.tell_resident: a notice, and a text or
an e-mail as they chose, saying only that there is an update, with a link. The organisation
is told at its referral address when the resident withdraws or writes, with a link to the
referral in its inbox. A referral declined, withdrawn or chased without answer offers
similar services."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from passport.database import db
from tests.support import journeys, pages, scenarios, staff
from tests.support.journeys import post_form
from tests.support.mailbox import Mailbox, ReceivedEmail
from tests.support.notify_stand_in import (
    API_KEY,
    EMAIL_TEMPLATE,
    SMS_TEMPLATE,
    NotifyStandIn,
    notify_stand_in,
)
from tests.support.pages.base import Person
from tests.support.pages.referrals import NoticesPage, ReferralDetailPage

ORG = "eastbridge-advice-centre"
INBOX = f"/staff/{ORG}/referrals"
ENTRY = r"/staff/" + ORG + r"/referrals/{id}"
ORG_EMAIL = scenarios.ORG_EMAIL
SERVICE = "Debt advice drop-in"
ORGANISATION = "Eastbridge Advice Centre"
HOLD_REASON = f"Waiting for an adviser {scenarios.marker()}"
DECLINE_REASON = f"We only help people in Eastbridge {scenarios.marker()}"
OUTCOME_WORDS = f"We set up a payment plan {scenarios.marker()}"
WITHDRAW_REASON = f"I found help elsewhere {scenarios.marker()}"
UPDATE = "There is an update"
MESSAGE = "You have a new message about a referral"


@dataclass
class Loop:
    """A resident's sent referral, and a member of the organisation's staff signed in for
    work who has its page in the inbox (not yet opened)."""

    resident: FlaskClient
    worker: FlaskClient
    referred: scenarios.Referred
    case: str  # the staff page, /staff/<org>/referrals/<entry>

    @property
    def private(self) -> list[str]:
        """What no e-mail or text may carry."""
        return [
            self.referred.email,
            self.referred.story,
            self.referred.message,
            HOLD_REASON,
            DECLINE_REASON,
            OUTCOME_WORDS,
            WITHDRAW_REASON,
            "money",
        ]

    def post(self, action: str, data: dict[str, str] | None = None) -> TestResponse:
        # A page of the worker's that does not open the referral (opening is news of its own).
        token = pages.csrf_token(self.worker.get("/staff"))
        return self.worker.post(f"{self.case}/{action}", data={"csrf_token": token, **(data or {})})


@pytest.fixture
def worker(app: Flask, org_client: FlaskClient, mailbox: Mailbox, demo_directory) -> FlaskClient:
    staff.join(app, org_client, mailbox, f"staff-{scenarios.marker()}@example.org", "staff", ORG)
    return org_client


def new_loop(client: FlaskClient, worker: FlaskClient, mailbox: Mailbox) -> Loop:
    referred = scenarios.resident_with_referral(client, mailbox)
    (entry, *_) = scenarios.ids_in(worker.get(INBOX), ENTRY)  # newest first
    mailbox.clear()
    return Loop(client, worker, referred, f"{INBOX}/{entry}")


@pytest.fixture
def loop(client: FlaskClient, worker: FlaskClient, mailbox: Mailbox) -> Loop:
    return new_loop(client, worker, mailbox)


def the_one_email(mailbox: Mailbox, to: str, subject: str) -> ReceivedEmail:
    found = mailbox.to(to)
    assert [m.subject for m in found] == [subject], [m.subject for m in found]
    return found[0]


def says_nothing_private(email: ReceivedEmail | str, private: list[str]) -> None:
    text = email if isinstance(email, str) else f"{email.subject}\n{email.body}"
    for word in private:
        assert word.lower() not in text.lower(), (word, text)


def link_path(body: str) -> str:
    (link,) = re.findall(r"https?://\S+", body)
    return journeys.path_of(link)


def newest_notice(client: FlaskClient) -> tuple[str, str]:
    item = pages.soup(client.get("/notices")).select("#notices li")[0]
    return item.find("a").get_text(strip=True), item.find("a")["href"]


def similar_link(client: FlaskClient, path: str) -> str | None:
    found = pages.soup(client.get(path)).select_one("#similar-link a")
    return str(found["href"]) if found else None


# The resident is told of every change, through a notice and their channel ----------------------

# Each step the organisation takes: what it posts, the notice the resident gets and the
# subject of the e-mail that goes with it.
STEPS: list[tuple[str, dict[str, str], str, str]] = [
    ("accept", {}, "An organisation has accepted a referral you made", UPDATE),
    ("start", {}, "An organisation has started work on a referral you made", UPDATE),
    (
        "hold",
        {"reason": HOLD_REASON},
        "An organisation has put a referral you made on hold",
        UPDATE,
    ),
    ("start", {}, "An organisation has started work on a referral you made", UPDATE),
    (
        "message",
        {"body": f"Bring your letters {scenarios.marker()}"},
        f"{MESSAGE} you made",
        MESSAGE,
    ),
    (
        "complete",
        {"outcome": "helped", "details": OUTCOME_WORDS},
        "An organisation has finished work on a referral you made",
        UPDATE,
    ),
]


def test_every_change_reaches_the_resident_as_a_notice_and_an_email_with_nothing_private(
    loop: Loop, mailbox: Mailbox
):
    opened = loop.worker.get(loop.case)
    assert opened.status_code == 200
    told = the_one_email(mailbox, loop.referred.email, "A referral you made has been opened")
    assert told.body.startswith("An organisation has opened a referral you made.")
    assert link_path(told.body) == loop.referred.referral
    says_nothing_private(told, [*loop.private, SERVICE, ORGANISATION])
    assert newest_notice(loop.resident) == (
        "An organisation has opened a referral you made",
        loop.referred.referral,
    )
    assert pages.status(loop.resident.get(loop.referred.referral)) == "Opened"
    # Looking again is not news.
    mailbox.clear()
    assert loop.worker.get(loop.case).status_code == 200
    assert mailbox.messages == []

    for action, data, notice, subject in STEPS:
        mailbox.clear()
        moved = loop.post(action, data)
        assert moved.status_code == 302, (action, moved.status_code)
        told = the_one_email(mailbox, loop.referred.email, subject)
        assert link_path(told.body) == loop.referred.referral, action
        says_nothing_private(told, [*loop.private, *data.values(), SERVICE, ORGANISATION])
        assert newest_notice(loop.resident) == (notice, loop.referred.referral), action
        assert mailbox.to(ORG_EMAIL) == [], action  # the organisation acted: nothing to it

    detail = pages.text(loop.resident.get(loop.referred.referral))
    assert "Completed" in detail and OUTCOME_WORDS in detail
    assert HOLD_REASON in detail  # the reason is behind sign-in, on the timeline
    assert similar_link(loop.resident, loop.referred.referral) is None  # it helped


def test_a_decline_reaches_the_resident_who_is_offered_similar_services(
    loop: Loop, mailbox: Mailbox
):
    loop.worker.get(loop.case)
    mailbox.clear()
    declined = loop.post("decline", {"reason": DECLINE_REASON})
    assert declined.status_code == 302
    told = the_one_email(mailbox, loop.referred.email, UPDATE)
    says_nothing_private(told, [*loop.private, SERVICE, ORGANISATION])
    assert newest_notice(loop.resident) == (
        "An organisation has declined a referral you made",
        loop.referred.referral,
    )
    shown = NoticesPage.open(Person(loop.resident, mailbox)).notices()
    assert shown == [
        "An organisation has declined a referral you made",
        "An organisation has opened a referral you made",
    ]
    detail = loop.resident.get(loop.referred.referral)
    assert pages.status(detail) == "Declined"
    assert DECLINE_REASON in pages.text(detail)
    similar = similar_link(loop.resident, loop.referred.referral)
    assert similar == f"{loop.referred.referral}/similar"
    page = loop.resident.get(similar)
    assert pages.heading(page) == f"Services like {SERVICE}"
    assert "similar-benefits-check-and-forms" in [
        li["id"] for li in pages.soup(page).select("#similar-services li")
    ]


def test_every_email_to_the_resident_is_one_of_their_notices(loop: Loop, mailbox: Mailbox):
    """Nothing writes to the resident about a referral except through their notices."""
    loop.worker.get(loop.case)
    for action, data, _notice, _subject in STEPS:
        assert loop.post(action, data).status_code == 302
    emails = mailbox.to(loop.referred.email)
    notices = pages.soup(loop.resident.get("/notices")).select("#notices li")
    assert len(emails) == len(notices) == 1 + len(STEPS)
    assert {link_path(email.body) for email in emails} == {
        item.find("a")["href"] for item in notices
    }


# Texts instead, for a resident who chose them ------------------------------------------------


@pytest.fixture
def notify_api() -> Iterator[NotifyStandIn]:
    with notify_stand_in() as stand_in:
        yield stand_in


@pytest.fixture
def texting_app(app: Flask, notify_api: NotifyStandIn) -> Iterator[Flask]:
    """The same database; e-mail and texts through (a stand-in of) GOV.UK Notify."""
    from passport import create_app

    settings = dataclasses.replace(
        app.config["SETTINGS"],
        mail_transport="notify",
        text_transport="notify",
        notify_api_key=API_KEY,
        notify_base_url=notify_api.base_url,
        notify_email_template_id=EMAIL_TEMPLATE,
        notify_sms_template_id=SMS_TEMPLATE,
    )
    other = create_app({"SETTINGS": settings, "TESTING": True})
    other.test_client_class = pages.CheckedClient
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_resident_who_chose_texts_is_texted_each_change_and_not_emailed(
    app: Flask, texting_app: Flask, notify_api: NotifyStandIn, client, mailbox, demo_directory
):
    referred = scenarios.resident_with_referral(client, mailbox)
    chosen = post_form(client, "/account/contact", {"channel": "sms", "phone": "07912 345678"})
    assert chosen.status_code == 302
    # Staff invited as before (the invitation by SMTP), working through the texting app.
    worker = texting_app.test_client()
    staff.join(app, worker, mailbox, f"staff-{scenarios.marker()}@example.org", "staff", ORG)
    (entry, *_) = scenarios.ids_in(worker.get(INBOX), ENTRY)
    loop = Loop(client, worker, referred, f"{INBOX}/{entry}")
    mailbox.clear()
    notify_api.clear()

    assert worker.get(loop.case).status_code == 200
    assert loop.post("accept").status_code == 302
    assert loop.post("message", {"body": "Call us"}).status_code == 302

    texts = [(sent.channel, sent.to, sent.body) for sent in notify_api.sent]
    url = f"http://localhost{referred.referral}"
    assert texts == [
        (
            "sms",
            "+447912345678",
            f"An organisation has opened a referral you made. Sign in to see where it is: {url}",
        ),
        (
            "sms",
            "+447912345678",
            f"An organisation has replied to a referral you made. Sign in to see the update: {url}",
        ),
        (
            "sms",
            "+447912345678",
            f"You have a new message about a referral you made. Sign in to read it: {url}",
        ),
    ]
    for _channel, _to, body in texts:
        says_nothing_private(body, [*loop.private, SERVICE, ORGANISATION, "Call us"])
    assert mailbox.to(referred.email) == []
    assert notify_api.refused == []
    assert newest_notice(client) == (f"{MESSAGE} you made", referred.referral)


# The organisation is told when the resident withdraws or writes ------------------------------


def test_the_organisation_is_told_of_a_withdrawal_with_a_link_to_the_case(
    loop: Loop, mailbox: Mailbox
):
    loop.worker.get(loop.case)
    assert loop.post("accept").status_code == 302
    mailbox.clear()
    resident = Person(loop.resident, mailbox)
    resident.goto(loop.referred.referral)
    detail = ReferralDetailPage(resident, service=SERVICE).withdraw_this_referral()
    detail = detail.withdraw_with(WITHDRAW_REASON, service=SERVICE)
    assert detail.status() == "Withdrawn"

    told = the_one_email(mailbox, ORG_EMAIL, "A referral has been withdrawn")
    assert SERVICE in told.body
    says_nothing_private(told, loop.private)
    assert link_path(told.body) == loop.case
    assert mailbox.to(loop.referred.email) == []  # the resident did it: nothing to tell them
    page = loop.worker.get(loop.case)
    assert page.status_code == 200
    assert pages.status(page) == "Withdrawn"
    assert loop.referred.story not in pages.text(page)
    # The resident is offered similar services.
    assert detail.has_similar_services()
    similar = detail.see_similar_services(SERVICE)
    assert "Benefits check and help with forms" in similar.services()
    assert SERVICE not in similar.services()


def test_a_withdrawal_never_opened_is_told_too_and_the_link_is_for_its_own_staff_only(
    app: Flask, loop: Loop, mailbox: Mailbox
):
    assert post_form(loop.resident, f"{loop.referred.referral}/withdraw", {}).status_code == 302
    told = the_one_email(mailbox, ORG_EMAIL, "A referral has been withdrawn")
    assert link_path(told.body) == loop.case
    stranger = app.test_client()
    staff.join(
        app,
        stranger,
        mailbox,
        f"other-{scenarios.marker()}@example.org",
        "staff",
        "eastbridge-community-food-bank",
    )
    assert stranger.get(loop.case).status_code == 404


def test_the_organisation_is_told_of_the_residents_message_with_a_link_to_read_it(
    loop: Loop, mailbox: Mailbox
):
    loop.worker.get(loop.case)
    mailbox.clear()
    words = f"My new phone number {scenarios.marker()}"
    sent = post_form(loop.resident, f"{loop.referred.referral}/message", {"body": words})
    assert sent.status_code == 302

    told = the_one_email(mailbox, ORG_EMAIL, MESSAGE)
    assert SERVICE in told.body
    says_nothing_private(told, [*loop.private, words])
    assert link_path(told.body) == loop.case
    assert words in pages.text(loop.worker.get(loop.case))
    assert mailbox.to(loop.referred.email) == []


# Similar services on the referral's page ---------------------------------------------------------


def test_similar_services_only_once_declined_withdrawn_or_chased(
    app: Flask, loop: Loop, mailbox: Mailbox, frozen_clock
):
    path = loop.referred.referral
    assert similar_link(loop.resident, path) is None  # sent, not chased
    loop.worker.get(loop.case)
    assert similar_link(loop.resident, path) is None  # opened
    assert loop.post("accept").status_code == 302
    assert similar_link(loop.resident, path) is None  # accepted

    # Another, never opened, chased after 5 working days.
    frozen_clock.now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    resident = app.test_client()
    chased = scenarios.resident_with_referral(resident, mailbox)
    assert similar_link(resident, chased.referral) is None
    frozen_clock.now = datetime(2026, 12, 14, 10, tzinfo=UTC)
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.output.endswith("chasers: 1 reminded, 1 escalated\n"), result.output
    assert similar_link(resident, chased.referral) == f"{chased.referral}/similar"
    assert newest_notice(resident) == (
        "A referral you made has not been opened yet",
        f"{chased.referral}/similar",
    )
    # Opened at last: no longer offered.
    (entry, *_) = [
        e for e in scenarios.ids_in(loop.worker.get(INBOX), ENTRY) if f"{INBOX}/{e}" != loop.case
    ]
    loop.worker.get(f"{INBOX}/{entry}")
    assert similar_link(resident, chased.referral) is None


def test_another_residents_similar_link_is_not_shown(app: Flask, loop: Loop, mailbox: Mailbox):
    referral_id = uuid.UUID(loop.referred.referral.rsplit("/", 1)[1])
    assert post_form(loop.resident, f"{loop.referred.referral}/withdraw", {}).status_code == 302
    other = app.test_client()
    journeys.sign_up(other, mailbox, f"other-{scenarios.marker()}@example.net")
    assert other.get(f"/referrals/{referral_id}").status_code == 404
    assert other.get(f"/referrals/{referral_id}/similar").status_code == 404


# Staff who open the share link from the organisation's e-mail -------------------------------


def test_staff_can_open_a_share_link_without_a_code_and_then_answer_through_it(
    loop: Loop, mailbox: Mailbox
):
    # Opening it without a code names the visit's look but no expiry: later requests to the
    # link still find the staff member's access (they once failed with a server error).
    opened = loop.worker.get(loop.referred.share_link)
    assert opened.status_code == 200
    assert pages.status(opened) == "Opened"
    form = loop.worker.get(f"{loop.referred.share_link}/decline")
    assert form.status_code == 200
    declined = post_form(
        loop.worker, f"{loop.referred.share_link}/decline", {"reason": DECLINE_REASON}
    )
    assert declined.status_code == 302
    assert pages.status(loop.resident.get(loop.referred.referral)) == "Declined"


def test_a_resident_who_chose_texts_is_promised_a_text_not_an_email(
    client, mailbox, demo_directory
):
    journeys.sign_up(client, mailbox, f"texts-{scenarios.marker()}@example.net")
    journeys.add_need(client, "money", "I owe money")
    chosen = post_form(client, "/account/contact", {"channel": "sms", "phone": "07912 345678"})
    assert chosen.status_code == 302
    path = journeys.refer(client, scenarios.SERVICE, ["money"])
    said = pages.soup(client.get(f"{path}/sent")).select_one("#reply-notice").get_text()
    assert (
        said == "We will text you when they reply. You can also check your referrals at any time."
    )

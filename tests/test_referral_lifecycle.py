"""The referral lifecycle worked from both sides: every move the table allows and every one it
refuses, through the pages a resident and an organisation use; reasons and outcomes that are
required, kept when missing; the timeline and messages both sides see; e-mails without
details; and the referral as a FHIR R4 Task."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from passport.referrals.lifecycle import MOVES, Move, Status
from passport.referrals.service import STATUS_NAMES
from tests.support import journeys, pages, scenarios
from tests.support.journeys import post_form
from tests.support.mailbox import Mailbox

ORG_EMAIL = scenarios.ORG_EMAIL
ORGANISATION = "Eastbridge Advice Centre"
HOLD_REASON = "Waiting for a debt adviser to be free next week."
OUTCOME_WORDS = "We set up a payment plan with the council."
WITHDRAW_REASON = "I found help somewhere else."


@dataclass
class Case:
    """A resident's sent referral, and the organisation holding its link with the code
    entered (not yet opened: the referral is still sent)."""

    resident: FlaskClient
    org: FlaskClient
    email: str
    path: str  # the resident's /referrals/<id>
    link: str  # the organisation's /share/<token>
    story: str
    message: str


@pytest.fixture
def case(client, org_client, mailbox, demo_directory) -> Case:
    referred = scenarios.resident_with_referral(client, mailbox)
    code = journeys.request_code(org_client, referred.share_link, mailbox, ORG_EMAIL)
    assert journeys.enter_code(org_client, referred.share_link, code).status_code == 302
    mailbox.clear()
    return Case(
        client,
        org_client,
        referred.email,
        referred.referral,
        referred.share_link,
        referred.story,
        referred.message,
    )


def org_token(case: Case) -> str:
    # A page that does not open the referral (opening it is a move of its own).
    return pages.csrf_token(case.org.get(f"{case.link}/code"))


def org_post(case: Case, action: str, data: dict[str, str] | None = None) -> TestResponse:
    return case.org.post(
        f"{case.link}/{action}", data={"csrf_token": org_token(case), **(data or {})}
    )


def resident_post(case: Case, action: str, data: dict[str, str] | None = None) -> TestResponse:
    token = pages.csrf_token(case.resident.get(case.path))
    return case.resident.post(f"{case.path}/{action}", data={"csrf_token": token, **(data or {})})


# Each move as the person who makes it makes it, through the page's form.
ACT: dict[Move, Callable[[Case], TestResponse]] = {
    Move.OPEN: lambda case: case.org.get(case.link),
    Move.ACCEPT: lambda case: org_post(case, "accept"),
    Move.DECLINE: lambda case: org_post(case, "decline", {"reason": "We are full this month."}),
    Move.START: lambda case: org_post(case, "start"),
    Move.HOLD: lambda case: org_post(case, "hold", {"reason": HOLD_REASON}),
    Move.COMPLETE: lambda case: org_post(
        case, "complete", {"outcome": "helped", "details": OUTCOME_WORDS}
    ),
    Move.WITHDRAW: lambda case: resident_post(case, "withdraw", {"reason": WITHDRAW_REASON}),
}

# How a referral reaches each status, from sent, by the moves of the table.
ROUTE: dict[Status, list[Move]] = {
    Status.SENT: [],
    Status.OPENED: [Move.OPEN],
    Status.ACCEPTED: [Move.OPEN, Move.ACCEPT],
    Status.DECLINED: [Move.OPEN, Move.DECLINE],
    Status.IN_PROGRESS: [Move.OPEN, Move.ACCEPT, Move.START],
    Status.ON_HOLD: [Move.OPEN, Move.ACCEPT, Move.HOLD],
    Status.COMPLETED: [Move.OPEN, Move.ACCEPT, Move.START, Move.COMPLETE],
    Status.WITHDRAWN: [Move.WITHDRAW],
}


def status_seen_by_resident(case: Case) -> str:
    return pages.status(case.resident.get(case.path))


def bring_to(case: Case, status: Status) -> None:
    for move in ROUTE[status]:
        response = ACT[move](case)
        assert response.status_code in (200, 302), (move, response.status_code)
    assert status_seen_by_resident(case) == STATUS_NAMES[status]


# Moves a person makes on a sent referral (the draft's own moves are tested with drafts).
WORKED = [move for move in Move if move not in (Move.CHANGE, Move.SEND)]
SENT_STATUSES = [status for status in Status if status is not Status.DRAFT]
TRANSITIONS = [(move, status) for move in WORKED for status in SENT_STATUSES]


def test_the_table_here_covers_every_move_and_status():
    assert set(ACT) == set(WORKED)
    assert set(ROUTE) == set(SENT_STATUSES)


@pytest.mark.parametrize(
    ("move", "status"),
    [(m, s) for m, s in TRANSITIONS if s in MOVES[m].from_states],
    ids=lambda value: str(value),
)
def test_every_allowed_move_is_made(case: Case, move: Move, status: Status):
    bring_to(case, status)
    response = ACT[move](case)
    assert response.status_code in (200, 302), response.status_code
    to = MOVES[move].to
    detail = case.resident.get(case.path)
    assert pages.status(detail) == STATUS_NAMES[to]
    latest = pages.soup(detail).select(".np-timeline li")[0]
    assert " ".join(latest.get_text().split()).startswith(str(STATUS_NAMES[to]))


@pytest.mark.parametrize(
    ("move", "status"),
    [(m, s) for m, s in TRANSITIONS if s not in MOVES[m].from_states],
    ids=lambda value: str(value),
)
def test_every_refused_move_changes_nothing(case: Case, mailbox: Mailbox, move: Move, status):
    bring_to(case, status)
    before = case.resident.get(case.path)
    steps = len(pages.soup(before).select(".np-timeline li"))
    mailbox.clear()
    response = ACT[move](case)
    # Refused plainly: back to the referral, a page saying where it stands, or the link gone
    # (looking again is no move: the page shows where it stands).
    allowed = (200, 410) if move is Move.OPEN else (302, 409, 410)
    assert response.status_code in allowed, response.status_code
    if response.status_code == 409:
        assert pages.heading(response) == "This referral has changed"
        assert pages.status(response) == STATUS_NAMES[status]
    after = case.resident.get(case.path)
    assert pages.status(after) == STATUS_NAMES[status]
    assert len(pages.soup(after).select(".np-timeline li")) == steps
    assert mailbox.messages == [], "a refused move told someone"


# Reasons and outcomes ---------------------------------------------------------------------------


def test_on_hold_needs_a_reason_and_keeps_what_was_typed(case: Case):
    bring_to(case, Status.ACCEPTED)
    form = case.org.get(f"{case.link}/hold")
    assert pages.heading(form) == "Why are you putting this referral on hold?"
    empty = post_form(case.org, f"{case.link}/hold", {"reason": "   "})
    assert empty.status_code == 200
    assert pages.title(empty).startswith("Error: ")
    assert pages.error_summary_links(empty) == [
        ("Enter why you are putting this referral on hold", "#reason")
    ]
    long = "w" * 1001
    too_long = post_form(case.org, f"{case.link}/hold", {"reason": long})
    assert pages.error_summary_links(too_long) == [
        ("The reason must be 1,000 characters or fewer", "#reason")
    ]
    assert pages.field_value(too_long, "reason") == long
    assert status_seen_by_resident(case) == "Accepted"


def test_completing_needs_an_outcome_and_keeps_what_was_typed(case: Case):
    bring_to(case, Status.IN_PROGRESS)
    form = case.org.get(f"{case.link}/complete")
    assert pages.heading(form) == "What was the outcome?"
    for data in ({"details": OUTCOME_WORDS}, {"outcome": "cured", "details": OUTCOME_WORDS}):
        refused = post_form(case.org, f"{case.link}/complete", data)
        assert refused.status_code == 200
        assert pages.error_summary_links(refused) == [("Select the outcome", "#outcome")]
        assert pages.field_value(refused, "details") == OUTCOME_WORDS
    assert status_seen_by_resident(case) == "In progress"


def test_declining_needs_a_reason(case: Case):
    bring_to(case, Status.OPENED)
    empty = post_form(case.org, f"{case.link}/decline", {"reason": ""})
    assert pages.error_summary_links(empty) == [
        ("Enter why you are declining this referral", "#reason")
    ]
    assert status_seen_by_resident(case) == "Opened"


def test_withdrawing_takes_an_optional_reason(case: Case, mailbox: Mailbox):
    long = "x" * 1001
    too_long = post_form(case.resident, f"{case.path}/withdraw", {"reason": long})
    assert pages.error_summary_links(too_long) == [
        ("The reason must be 1,000 characters or fewer", "#reason")
    ]
    assert pages.field_value(too_long, "reason") == long
    assert post_form(case.resident, f"{case.path}/withdraw", {}).status_code == 302
    detail = case.resident.get(case.path)
    assert pages.status(detail) == "Withdrawn"
    assert pages.soup(detail).select_one("#status-reason") is None


def test_messages_need_words_and_keep_what_was_typed(case: Case):
    bring_to(case, Status.OPENED)
    long = "m" * 2001
    forms = ((case.org, f"{case.link}/message"), (case.resident, f"{case.path}/message"))
    for client, url in forms:
        empty = post_form(client, url, {"body": "  "})
        assert pages.error_summary_links(empty) == [("Enter your message", "#body")]
        too_long = post_form(client, url, {"body": long})
        assert pages.error_summary_links(too_long) == [
            ("Your message must be 2,000 characters or fewer", "#body")
        ]
        assert pages.field_value(too_long, "body") == long
    assert "No messages yet." in pages.text(case.resident.get(case.path))


# Both sides see each other's changes ------------------------------------------------------------


def test_the_resident_sees_the_organisations_work_and_the_organisation_the_residents(
    case: Case, mailbox: Mailbox
):
    bring_to(case, Status.ACCEPTED)
    held = post_form(case.org, f"{case.link}/hold", {"reason": HOLD_REASON})
    assert held.status_code == 302
    assert pages.flash_messages(case.org.get(case.link)) == [
        "You have put the referral on hold. We have told the person."
    ]

    detail = case.resident.get(case.path)
    assert pages.status(detail) == "On hold"
    assert HOLD_REASON in pages.soup(detail).select_one("#status-reason").get_text()
    timeline = [
        " ".join(item.get_text().split()) for item in pages.soup(detail).select(".np-timeline li")
    ]
    assert timeline[0].startswith(f"On hold by {ORGANISATION}")
    assert HOLD_REASON in timeline[0]
    assert timeline[1].startswith(f"Accepted by {ORGANISATION}")
    assert timeline[-1].startswith("Sent by you")

    # The resident adds information; the organisation reads it on its page.
    added = "My new phone number is 07700 900456."
    sent = post_form(case.resident, f"{case.path}/message", {"body": added})
    assert sent.status_code == 302
    org_page = case.org.get(case.link)
    assert added in pages.text(org_page)
    assert pages.status(org_page) == "On hold"
    assert "On hold by your organisation" in " ".join(pages.text(org_page).split())

    # The organisation replies, starts again and completes; the resident sees each.
    reply = "Thank you, we will call that number."
    assert post_form(case.org, f"{case.link}/message", {"body": reply}).status_code == 302
    assert reply in pages.text(case.resident.get(case.path))
    assert org_post(case, "start").status_code == 302
    assert status_seen_by_resident(case) == "In progress"
    done = post_form(
        case.org, f"{case.link}/complete", {"outcome": "helped", "details": OUTCOME_WORDS}
    )
    assert done.status_code == 302
    confirmation = case.org.get(done.headers["Location"])
    assert pages.heading(confirmation) == "You have marked the referral as completed"
    # The organisation no longer sees the passport: the link shows nothing.
    gone = case.org.get(case.link)
    assert gone.status_code == 410
    assert case.story not in pages.text(gone)

    detail = case.resident.get(case.path)
    assert pages.status(detail) == "Completed"
    outcome = pages.soup(detail).select_one("#outcome").get_text()
    assert "They got the help they needed" in outcome and OUTCOME_WORDS in outcome
    assert "No organisation can see your passport." in pages.text(case.resident.get("/passport"))
    assert "Send message" not in pages.text(detail)


def test_the_resident_withdrawing_ends_the_organisations_page(case: Case):
    bring_to(case, Status.IN_PROGRESS)
    withdrawn = post_form(case.resident, f"{case.path}/withdraw", {"reason": WITHDRAW_REASON})
    assert withdrawn.status_code == 302
    detail = case.resident.get(case.path)
    assert WITHDRAW_REASON in pages.soup(detail).select_one("#status-reason").get_text()
    # The organisation's form, sent after: refused, and what it typed shown back.
    refused = org_post(case, "hold", {"reason": HOLD_REASON})
    assert refused.status_code == 410
    assert pages.heading(refused) == "This link has been withdrawn"
    assert HOLD_REASON in pages.text(refused)


# E-mails carry no details -----------------------------------------------------------------------


def test_emails_say_only_that_something_happened(case: Case, mailbox: Mailbox):
    bring_to(case, Status.ACCEPTED)
    mailbox.clear()
    post_form(case.org, f"{case.link}/hold", {"reason": HOLD_REASON})
    org_words = "Please bring your council tax letters."
    post_form(case.org, f"{case.link}/message", {"body": org_words})
    resident_words = "I can come on Tuesday morning."
    post_form(case.resident, f"{case.path}/message", {"body": resident_words})

    to_resident = mailbox.to(case.email)
    assert [m.subject for m in to_resident] == [
        "There is an update",
        "You have a new message about a referral",
    ]
    assert f"http://localhost{case.path}" in to_resident[1].body
    to_org = mailbox.to(ORG_EMAIL)
    assert [m.subject for m in to_org] == ["You have a new message about a referral"]
    assert "Debt advice drop-in" in to_org[0].body
    for email in mailbox.messages:
        for private in (
            HOLD_REASON,
            org_words,
            resident_words,
            case.story,
            case.message,
            case.email,
            "on hold",
            "council tax",
        ):
            assert private.lower() not in email.body.lower(), (private, email.subject)
            assert private.lower() not in email.subject.lower(), (private, email.subject)
    assert {m.to for m in mailbox.messages} == {case.email, ORG_EMAIL}


# The race: one wins, the others are told --------------------------------------------------------


def test_a_colleague_who_loses_sees_what_happened_and_what_they_typed(case: Case):
    bring_to(case, Status.ACCEPTED)
    token = org_token(case)  # two colleagues' pages, both open on 'Put on hold'
    first = case.org.post(f"{case.link}/hold", data={"csrf_token": token, "reason": HOLD_REASON})
    assert first.status_code == 302
    mine = "Waiting for the person's letters."
    second = case.org.post(f"{case.link}/hold", data={"csrf_token": token, "reason": mine})
    assert second.status_code == 409
    assert pages.heading(second) == "This referral has changed"
    said = " ".join(pages.soup(second).select_one("#what-happened").get_text().split())
    assert said.startswith("It was marked as On hold by your organisation on ")
    assert said.endswith("before your change arrived. Your change has not been made.")
    assert mine in pages.text(second)
    assert HOLD_REASON not in pages.text(second)
    # Only the first reason is on the timeline.
    text = pages.text(case.resident.get(case.path))
    assert HOLD_REASON in text and mine not in text


def test_the_same_click_twice_goes_back_to_the_referral(case: Case, mailbox: Mailbox):
    bring_to(case, Status.ACCEPTED)
    token = org_token(case)
    mailbox.clear()
    for _ in range(2):
        again = case.org.post(f"{case.link}/start", data={"csrf_token": token})
        assert again.status_code == 302
        assert again.headers["Location"] == case.link
    assert len(mailbox.to(case.email)) == 1


# FHIR ---------------------------------------------------------------------------------------------

ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def fhir(case: Case) -> dict:
    response = case.resident.get(f"{case.path}/fhir")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    return response.get_json()


def test_the_referral_as_a_fhir_task(case: Case):
    task = fhir(case)
    assert task["resourceType"] == "Task"
    assert task["id"] == case.path.rsplit("/", 1)[1]
    assert task["meta"]["profile"] == [
        "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/"
        "SDOHCC-TaskForReferralManagement"
    ]
    assert task["status"] == "requested"
    assert task["intent"] == "order"
    assert task["code"]["coding"][0]["code"] == "fulfill"
    assert task["code"]["coding"][0]["system"] == "http://hl7.org/fhir/CodeSystem/task-code"
    assert task["focus"] == {"display": "Debt advice drop-in"}
    assert task["owner"] == {"display": ORGANISATION}
    assert task["businessStatus"]["coding"][0]["code"] == "sent"
    assert task["businessStatus"]["text"] == "Sent"
    assert ISO_INSTANT.match(task["authoredOn"]) and ISO_INSTANT.match(task["lastModified"])
    assert "statusReason" not in task and "output" not in task
    # Nothing of the passport itself: the story and message stay on the pages.
    text = str(task)
    assert case.story not in text and case.message not in text

    bring_to(case, Status.ON_HOLD)
    task = fhir(case)
    assert task["status"] == "on-hold"
    assert task["statusReason"] == {"text": HOLD_REASON}
    assert task["lastModified"] >= task["authoredOn"]

    ACT[Move.COMPLETE](case)
    task = fhir(case)
    assert task["status"] == "completed"
    assert "statusReason" not in task
    [output] = task["output"]
    assert output["type"]["coding"][0]["code"] == "resulting-activity"
    assert output["valueCodeableConcept"]["coding"][0]["code"] == "helped"
    assert output["valueCodeableConcept"]["text"] == OUTCOME_WORDS


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (Status.OPENED, "received"),
        (Status.ACCEPTED, "accepted"),
        (Status.DECLINED, "rejected"),
        (Status.IN_PROGRESS, "in-progress"),
        (Status.WITHDRAWN, "cancelled"),
    ],
)
def test_each_status_is_its_fhir_task_status(case: Case, status: Status, code: str):
    bring_to(case, status)
    task = fhir(case)
    assert task["status"] == code
    if status is Status.DECLINED:
        assert task["statusReason"] == {"text": "We are full this month."}
    if status is Status.WITHDRAWN:
        assert task["statusReason"] == {"text": WITHDRAW_REASON}


def test_another_residents_fhir_task_is_not_found(case: Case, app, mailbox: Mailbox):
    other = app.test_client()
    journeys.sign_up(other, mailbox, "alex@example.net")
    assert other.get(f"{case.path}/fhir").status_code == 404
    for url in (f"{case.path}/message",):
        assert other.get(url).status_code == 404
        assert post_form(other, url, {"body": "Hello"}).status_code == 404


# The journey with the page objects (the browser tests' twins) ----------------------------------


def test_the_organisation_works_a_referral_through_to_completed(case: Case):
    from tests.support.pages.base import Person
    from tests.support.pages.organisations import SharedPassportPage
    from tests.support.pages.referrals import ReferralDetailPage

    service = "Debt advice drop-in"
    organisation = Person(case.org, None)  # type: ignore[arg-type]
    organisation.goto(case.link)
    shared = SharedPassportPage(organisation, service=service).accept_referral(service=service)
    working = shared.start_work(service=service)
    assert working.status() == "In progress"
    held = working.put_on_hold().hold_with(HOLD_REASON, service=service)
    assert held.status() == "On hold"
    assert held.success_banner().endswith(
        "You have put the referral on hold. We have told the person."
    )
    resident = Person(case.resident, None)  # type: ignore[arg-type]
    resident.goto(case.path)
    detail = ReferralDetailPage(resident, service=service)
    assert detail.status() == "On hold"
    assert detail.status_reason() == f"Why it is on hold {HOLD_REASON}"

    again = held.start_work(service=service, again=True)
    assert again.timeline()[0].startswith("In progress by your organisation")
    done = again.mark_as_completed().complete_with(
        "We referred them to another service", OUTCOME_WORDS
    )
    assert "You can no longer see their passport" in done.text()
    resident.goto(case.path)
    detail = ReferralDetailPage(resident, service=service)
    assert detail.status() == "Completed"
    assert detail.outcome() == f"Outcome We referred them to another service {OUTCOME_WORDS}"

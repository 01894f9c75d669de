"""Chasers on working days (ADR 0027): a referral still unopened after 2 working days
reminds the organisation; after 5 the directory admins and the resident are told, and the
resident is offered similar services. `passport jobs run` sends each stage once, however
often and however many at once it runs. Real SMTP (the mailbox), the injected clock."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from passport import jobs
from passport.chasers.models import ReferralChaser
from passport.database import db
from tests.conftest import FrozenClock
from tests.support import journeys, pages, scenarios
from tests.support import staff as staff_steps
from tests.support.mailbox import Mailbox

SERVICE_NAME = "Debt advice drop-in"
ORGANISATION_NAME = "Eastbridge Advice Centre"
ADMIN = "directory-admin@council.example.org"
REMINDER = "A referral has not been opened"
ESCALATION = "A referral has not been opened after 5 working days"
TO_RESIDENT = "A referral you made has not been opened yet"
NOTHING = "outbox: sent 0, failed 0\nchasers: 0 reminded, 0 escalated\n"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def run(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    return result.output


def referred_at(
    when: datetime, app: Flask, client, mailbox: Mailbox, clock: FrozenClock
) -> scenarios.Referred:
    clock.now = when
    referred = scenarios.resident_with_referral(client, mailbox)
    mailbox.clear()
    return referred


def subjects(mailbox: Mailbox, to: str) -> list[str]:
    return [message.subject for message in mailbox.to(to)]


def chaser_rows(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(ReferralChaser))
        db.session.remove()
    return count or 0


@pytest.fixture
def admin(app: Flask, mailbox: Mailbox) -> str:
    staff_steps.join(app, app.test_client(), mailbox, ADMIN, "directory-admin")
    mailbox.clear()
    return ADMIN


# When: working days, over weekends and bank holidays ---------------------------------------


@pytest.mark.parametrize(
    ("sent", "not_yet", "due"),
    [
        # Friday afternoon: Monday and Tuesday count.
        ("2026-12-04T15:00:00+00:00", "2026-12-08T14:59:00+00:00", "2026-12-08T15:00:00+00:00"),
        # Before Christmas: Christmas Day and Boxing Day (observed Monday 28th) do not count.
        ("2026-12-23T10:00:00+00:00", "2026-12-28T23:59:00+00:00", "2026-12-29T10:00:00+00:00"),
        # Before Easter 2027: Good Friday and Easter Monday do not count; the clocks go
        # forward on the Sunday, and the time of day is London's.
        ("2027-03-25T10:00:00+00:00", "2027-03-31T08:59:00+00:00", "2027-03-31T10:00:00+01:00"),
        # Sent on a Saturday: counted from Monday's start.
        ("2026-12-05T11:00:00+00:00", "2026-12-08T23:59:00+00:00", "2026-12-09T00:00:00+00:00"),
    ],
)
def test_the_organisation_is_reminded_after_two_working_days_not_before(
    app, client, mailbox, demo_directory, frozen_clock, sent, not_yet, due
):
    referred = referred_at(at(sent), app, client, mailbox, frozen_clock)
    frozen_clock.now = at(not_yet)
    assert run(app) == NOTHING
    assert mailbox.messages == []

    frozen_clock.now = at(due)
    assert run(app) == "outbox: sent 0, failed 0\nchasers: 1 reminded, 0 escalated\n"
    (reminder,) = mailbox.to(scenarios.ORG_EMAIL)
    assert reminder.subject == REMINDER
    assert f"A referral to {SERVICE_NAME} has not been opened" in reminder.body
    assert "use the link in the first email" in reminder.body
    assert "/share/" not in reminder.body  # the link is kept only as its hash
    for detail in (referred.email, referred.story, referred.message, "money", "Money"):
        assert detail not in reminder.body
    assert len(mailbox.messages) == 1  # nobody else yet

    # Running again, then or later (before the 5th working day), sends nothing more.
    assert run(app) == NOTHING
    frozen_clock.advance(days=1)
    assert run(app) == NOTHING
    assert len(mailbox.messages) == 1


def test_after_five_working_days_the_directory_admins_and_the_resident_are_told(
    app, client, mailbox, demo_directory, frozen_clock, admin
):
    # Monday 7 December 2026: reminded on Wednesday 9th, escalated on Monday 14th.
    referred = referred_at(at("2026-12-07T10:00:00+00:00"), app, client, mailbox, frozen_clock)
    frozen_clock.now = at("2026-12-09T10:00:00+00:00")
    assert run(app).endswith("chasers: 1 reminded, 0 escalated\n")
    frozen_clock.now = at("2026-12-14T09:59:00+00:00")
    assert run(app) == NOTHING
    assert subjects(mailbox, admin) == [] and subjects(mailbox, referred.email) == []

    frozen_clock.now = at("2026-12-14T10:00:00+00:00")
    assert run(app) == "outbox: sent 0, failed 0\nchasers: 0 reminded, 1 escalated\n"
    (escalation,) = mailbox.to(admin)
    assert escalation.subject == ESCALATION
    assert SERVICE_NAME in escalation.body and ORGANISATION_NAME in escalation.body
    assert "after 5 working days" in escalation.body
    assert "7 December 2026" in escalation.body
    for detail in (referred.email, referred.story, referred.message, "money", "Money"):
        assert detail not in escalation.body
    # The organisation is not reminded twice.
    assert subjects(mailbox, scenarios.ORG_EMAIL) == [REMINDER]

    (told,) = mailbox.to(referred.email)
    assert told.subject == TO_RESIDENT
    for detail in (SERVICE_NAME, ORGANISATION_NAME, referred.story, referred.message):
        assert detail not in told.body
    referral_id = referred.referral.rsplit("/", 1)[1]
    similar_path = f"/referrals/{referral_id}/similar"
    assert journeys.path_of(re.search(r"http\S+", told.body).group(0)) == similar_path

    # The notice leads to the same page.
    notices = client.get("/notices")
    assert TO_RESIDENT in pages.text(notices)
    assert similar_path in [a["href"] for a in pages.soup(notices).find_all("a", href=True)]

    page = client.get(similar_path)
    assert page.status_code == 200
    assert pages.heading(page) == f"Services like {SERVICE_NAME}"
    assert "Eastbridge Advice Centre has not opened your referral yet" in pages.text(page)
    listed = [li["id"] for li in pages.soup(page).select("#similar-services li")]
    assert listed and f"similar-{scenarios.SERVICE}" not in listed
    # Money services taking referrals, the chased one left out.
    assert "similar-benefits-check-and-forms" in listed

    # Nothing more, however often the job runs.
    count = len(mailbox.messages)
    frozen_clock.advance(days=10)
    assert run(app) == NOTHING
    assert run(app) == NOTHING
    assert len(mailbox.messages) == count
    assert chaser_rows(app) == 2


def test_the_similar_services_page_is_the_residents_own(
    app, client, mailbox, demo_directory, frozen_clock
):
    referred = referred_at(at("2026-12-07T10:00:00+00:00"), app, client, mailbox, frozen_clock)
    referral_id = referred.referral.rsplit("/", 1)[1]
    other = app.test_client()
    journeys.sign_up(other, mailbox, f"other-{scenarios.marker()}@example.net")
    assert other.get(f"/referrals/{referral_id}/similar").status_code == 404
    # Not chased (yet): the page lists the services, and says nothing of a chaser.
    own = client.get(f"/referrals/{referral_id}/similar")
    assert own.status_code == 200 and "has not opened" not in pages.text(own)


def test_a_job_that_missed_the_second_day_sends_both_stages_once(
    app, client, mailbox, demo_directory, frozen_clock, admin
):
    referred = referred_at(at("2026-12-07T10:00:00+00:00"), app, client, mailbox, frozen_clock)
    frozen_clock.now = at("2026-12-21T10:00:00+00:00")
    assert run(app).endswith("chasers: 1 reminded, 1 escalated\n")
    assert subjects(mailbox, scenarios.ORG_EMAIL) == [REMINDER]
    assert subjects(mailbox, admin) == [ESCALATION]
    assert subjects(mailbox, referred.email) == [TO_RESIDENT]
    assert run(app) == NOTHING


# Idempotent at once ------------------------------------------------------------------------


def test_runs_at_the_same_moment_send_each_stage_once(
    app, client, mailbox, demo_directory, frozen_clock, admin
):
    referred = referred_at(at("2026-12-07T10:00:00+00:00"), app, client, mailbox, frozen_clock)
    frozen_clock.now = at("2026-12-21T10:00:00+00:00")
    threads = 6
    start = threading.Barrier(threads)
    said: list[str] = []

    def job() -> None:
        with app.app_context():
            start.wait()
            try:
                said.extend(ran.said for ran in jobs.run_due("chasers"))
            finally:
                db.session.remove()

    workers = [threading.Thread(target=job) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert len(said) == threads
    assert not any(line.startswith("failed") for line in said), said
    reminded = sum(int(line.split()[0]) for line in said)
    escalated = sum(int(line.split()[2]) for line in said)
    assert (reminded, escalated) == (1, 1), said
    assert subjects(mailbox, scenarios.ORG_EMAIL) == [REMINDER]
    assert subjects(mailbox, admin) == [ESCALATION]
    assert subjects(mailbox, referred.email) == [TO_RESIDENT]
    assert chaser_rows(app) == 2


# Never for a referral opened, answered or withdrawn ---------------------------------------


def test_an_opened_referral_is_never_chased(
    app, client, org_client, mailbox, demo_directory, frozen_clock, admin
):
    referred = referred_at(at("2026-12-07T10:00:00+00:00"), app, client, mailbox, frozen_clock)
    frozen_clock.now = at("2026-12-08T10:00:00+00:00")
    code = journeys.request_code(org_client, referred.share_link, mailbox, scenarios.ORG_EMAIL)
    assert journeys.enter_code(org_client, referred.share_link, code).status_code == 302
    assert org_client.get(referred.share_link).status_code == 200
    mailbox.clear()
    for day in ("2026-12-09T10:00:00+00:00", "2026-12-14T10:00:00+00:00"):
        frozen_clock.now = at(day)
        assert run(app) == NOTHING
    assert mailbox.messages == []
    assert chaser_rows(app) == 0


def test_a_referral_opened_after_the_reminder_is_not_escalated(
    app, client, org_client, mailbox, demo_directory, frozen_clock, admin
):
    referred = referred_at(at("2026-12-07T10:00:00+00:00"), app, client, mailbox, frozen_clock)
    frozen_clock.now = at("2026-12-09T10:00:00+00:00")
    assert run(app).endswith("chasers: 1 reminded, 0 escalated\n")
    # The organisation finds the first e-mail's link and opens it.
    code = journeys.request_code(org_client, referred.share_link, mailbox, scenarios.ORG_EMAIL)
    assert journeys.enter_code(org_client, referred.share_link, code).status_code == 302
    assert org_client.get(referred.share_link).status_code == 200  # opened now
    mailbox.clear()
    frozen_clock.now = at("2026-12-14T10:00:00+00:00")
    assert run(app) == NOTHING
    assert mailbox.messages == []
    assert chaser_rows(app) == 1


def test_a_withdrawn_referral_is_never_chased(
    app, client, mailbox, demo_directory, frozen_clock, admin
):
    referred = referred_at(at("2026-12-07T10:00:00+00:00"), app, client, mailbox, frozen_clock)
    token = pages.csrf_token(client.get(f"{referred.referral}/withdraw"))
    withdrawn = client.post(f"{referred.referral}/withdraw", data={"csrf_token": token})
    assert withdrawn.status_code == 302
    mailbox.clear()
    frozen_clock.now = at("2026-12-21T10:00:00+00:00")
    assert run(app) == NOTHING
    assert mailbox.messages == []


def test_the_bank_holidays_are_the_partnerships_nations(app):
    from passport import config, workdays

    assert app.config["SETTINGS"].bank_holidays == "ENG"
    assert config.BANK_HOLIDAYS == ("ENG", "WLS", "SCT", "NIR")
    # 2 January is a bank holiday in Scotland only: Friday 1 January 2027 is everywhere.
    sent = at("2026-12-31T10:00:00+00:00")
    assert workdays.after_working_days(sent, 2, "ENG") == at("2027-01-05T10:00:00+00:00")
    assert workdays.after_working_days(sent, 2, "WLS") == at("2027-01-05T10:00:00+00:00")
    assert workdays.after_working_days(sent, 2, "SCT") == at("2027-01-06T10:00:00+00:00")
    assert timedelta(0) < at("2027-01-06T10:00:00+00:00") - sent

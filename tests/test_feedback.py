"""Feedback (issue 10): after completion the resident is asked whether it helped, once; the
organisation's staff see their own answers, and nothing of them until 5 people answered."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from passport.database import db
from passport.feedback.models import Feedback
from tests.support import journeys, pages, scenarios, staff
from tests.support.mailbox import Mailbox

ORG = "eastbridge-advice-centre"
OTHER_ORG = "eastbridge-community-food-bank"
INBOX = f"/staff/{ORG}/referrals"
FEEDBACK = f"/staff/{ORG}/feedback"


@pytest.fixture
def worker(app: Flask, org_client: FlaskClient, mailbox: Mailbox, demo_directory) -> FlaskClient:
    staff.join(app, org_client, mailbox, f"staff-{scenarios.marker()}@example.org", "staff", ORG)
    return org_client


def _complete_newest(worker: FlaskClient) -> None:
    entry = scenarios.ids_in(worker.get(INBOX), "/staff/" + ORG + "/referrals/{id}")[0]
    page = f"{INBOX}/{entry}"
    token = pages.csrf_token(worker.get(page))
    assert worker.post(f"{page}/accept", data={"csrf_token": token}).status_code == 302
    done = journeys.post_form(worker, f"{page}/complete", {"outcome": "helped", "details": "x"})
    assert done.status_code == 302


def test_asked_only_after_completion_and_answered_once(app, client, worker, mailbox):
    referred = scenarios.resident_with_referral(client, mailbox)
    assert pages.soup(client.get(referred.referral)).find(id="feedback") is None
    # Not completed: an answer is refused (back to the page) and nothing is kept.
    token = pages.csrf_token(client.get(referred.referral))
    early = client.post(f"{referred.referral}/feedback", data={"csrf_token": token, "score": "5"})
    assert early.status_code == 302
    _complete_newest(worker)
    asked = client.get(referred.referral)
    assert "Did this help?" in pages.text(asked)
    words = f"Kind people {scenarios.marker()}"
    token = pages.csrf_token(asked)
    first = client.post(
        f"{referred.referral}/feedback", data={"csrf_token": token, "score": "4", "words": words}
    )
    assert first.status_code == 302
    second = client.post(
        f"{referred.referral}/feedback", data={"csrf_token": token, "score": "1", "words": "no"}
    )
    assert second.status_code == 302
    shown = client.get(referred.referral)
    assert "You answered 4 out of 5." in pages.text(shown)
    assert words in shown.get_data(as_text=True)
    assert pages.soup(shown).find("input", attrs={"name": "score"}) is None
    with app.app_context():
        rows = db.session.scalars(select(Feedback)).all()
        assert [row.score for row in rows] == [4]
        db.session.remove()


def test_errors_keep_what_was_typed(client, worker, mailbox):
    referred = scenarios.resident_with_referral(client, mailbox)
    _complete_newest(worker)
    token = pages.csrf_token(client.get(referred.referral))
    words = f"Typed words {scenarios.marker()}"
    no_score = client.post(
        f"{referred.referral}/feedback", data={"csrf_token": token, "words": words}
    )
    assert no_score.status_code == 400
    assert "Select how much it helped" in pages.text(no_score)
    assert words in no_score.get_data(as_text=True)
    too_long = client.post(
        f"{referred.referral}/feedback",
        data={"csrf_token": token, "score": "3", "words": "a" * 1001},
    )
    assert too_long.status_code == 400
    assert "1,000 characters or fewer" in pages.text(too_long)
    assert "a" * 1001 in too_long.get_data(as_text=True)


def test_under_5_nothing_shown_then_the_count_spread_and_words(app, client, worker, mailbox):
    referral = scenarios.resident_with_referral(client, mailbox).referral
    words = []
    for n in range(5):
        if n:
            referral = journeys.refer(client, scenarios.SERVICE, ["about"])
        _complete_newest(worker)
        token = pages.csrf_token(client.get(referral))
        said = f"Words {n} {scenarios.marker()}"
        words.append(said)
        answered = client.post(
            f"{referral}/feedback",
            data={"csrf_token": token, "score": str(n % 5 + 1), "words": said},
        )
        assert answered.status_code == 302
        linked = pages.soup(worker.get(INBOX)).find(id="feedback-link")
        assert linked is not None and linked["href"] == FEEDBACK
        page = worker.get(FEEDBACK)
        assert page.status_code == 200
        assert page.headers["Cache-Control"] == "no-store"
        if n < 4:
            assert "Fewer than 5 people have answered so far" in pages.text(page)
            assert not any(w in page.get_data(as_text=True) for w in words)
            assert pages.soup(page).find(id="spread") is None
    assert "5 people have answered." in pages.text(page)
    assert all(w in page.get_data(as_text=True) for w in words)
    with app.app_context():
        month = db.session.scalar(select(Feedback.month))
        db.session.remove()
    assert month and month[5:7] in {f"{m:02}" for m in range(1, 13)}
    heading = pages.soup(page).select("main h2")[-1].get_text()
    assert heading.endswith(month[:4]) and not heading[0].isdigit()  # "December 2026"
    cells = [td.get_text() for td in pages.soup(page).select("#spread td")]
    assert cells == ["1", "1", "1", "1", "1"]
    assert "/referrals/" not in str(pages.soup(page).find("main"))


def test_another_organisations_staff_get_404(app, client, worker, mailbox):
    stranger = app.test_client()
    staff.join(app, stranger, mailbox, f"s-{scenarios.marker()}@example.org", "admin", OTHER_ORG)
    assert stranger.get(FEEDBACK).status_code == 404
    assert stranger.get(f"/staff/{OTHER_ORG}/feedback").status_code == 200
    assert client.get(FEEDBACK).status_code in (302, 404)

"""A listing's capacity and freshness (passport/directory/listing.py): what the results and the
service page show, who cannot be referred to and why, `passport directory stale`, and how
quickly a service answers, counted from referrals made and answered through the app."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from bs4 import BeautifulSoup
from flask import Flask, render_template
from sqlalchemy import func, inspect, select, update

from passport.database import db
from passport.directory import listing
from passport.directory.models import Capacity, Service, ServiceTally
from passport.referrals.models import Referral
from tests.support import journeys, pages
from tests.support.journeys import post_form

SERVICE = "debt-advice-drop-in"
SERVICE_NAME = "Debt advice drop-in"
ORG_EMAIL = "referrals@eastbridge-advice.example.org"
ORGANISATION = "Eastbridge Advice Centre"
# The frozen clock's day (tests/conftest.py): 3 March 2026.
TODAY = date(2026, 3, 3)
FRESH = date(2026, 1, 10)
STALE = date(2025, 8, 1)  # over 6 months ago, under 12
HIDDEN = date(2025, 2, 1)  # over 12 months ago


def set_listing(app: Flask, slug: str, **values: object) -> None:
    with app.app_context():
        db.session.execute(update(Service).where(Service.slug == slug).values(**values))
        db.session.commit()


@pytest.fixture
def listed(app, demo_directory, frozen_clock):
    """The demo directory, every listing reviewed recently, on 3 March 2026."""
    with app.app_context():
        db.session.execute(update(Service).values(reviewed_on=FRESH))
        db.session.commit()
    return app


@pytest.fixture
def months(app: Flask) -> Iterator[object]:
    """Change the configured months for one test."""
    own = app.config["SETTINGS"]

    def configure(**changes: int) -> None:
        app.config["SETTINGS"] = dataclasses.replace(own, **changes)

    yield configure
    app.config["SETTINGS"] = own


@pytest.fixture
def resident(client, mailbox, listed):
    journeys.sign_up(client, mailbox, f"resident-{uuid.uuid4().hex}@example.net")
    journeys.add_need(client, "money", "The bailiffs have written about my council tax.")
    mailbox.clear()
    return client


def referral_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Referral)) or 0


# Freshness ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reviewed", "stale", "hidden"),
    [
        (date(2026, 3, 3), False, False),
        (date(2025, 9, 3), False, False),  # exactly 6 months
        (date(2025, 9, 2), True, False),
        (date(2025, 3, 3), True, False),  # exactly 12 months
        (date(2025, 3, 2), True, True),
        (None, True, False),  # never reviewed: warned about, still referable
    ],
)
def test_freshness_by_the_configured_months(app, frozen_clock, reviewed, stale, hidden):
    service = Service(reviewed_on=reviewed)
    with app.app_context():
        assert listing.is_stale(service) is stale
        assert listing.is_hidden_from_referral(service) is hidden


def test_the_months_come_from_the_settings(app, frozen_clock, months):
    service = Service(reviewed_on=date(2026, 1, 2), capacity=Capacity.ACCEPTING, status="active")
    months(directory_stale_months=1, directory_hide_months=2)
    with app.test_request_context("/"):
        assert listing.is_stale(service)
        assert listing.is_hidden_from_referral(service)
        assert "over 2 months" in (listing.referral_refusal(service) or "")


# Who cannot be referred to, and why -----------------------------------------------------------

REFUSED = [
    pytest.param({"capacity": Capacity.NOT_ACCEPTING}, "not accepting referrals", id="full"),
    pytest.param({"status": "inactive"}, "not running at the moment", id="inactive"),
    pytest.param({"reviewed_on": HIDDEN}, "not been checked for over 1 year", id="unreviewed"),
]


@pytest.mark.parametrize(("values", "reason"), REFUSED)
def test_starting_a_referral_is_refused_with_the_reason(app, resident, values, reason):
    set_listing(app, SERVICE, **values)

    page = resident.get(f"/directory/services/{SERVICE}/refer")
    assert page.status_code == 409
    assert pages.heading(page) == f"You cannot refer yourself to {SERVICE_NAME} now"
    assert reason in pages.text(page)
    assert pages.soup(page).select("input[name=sections]") == []
    assert ("Find another service", "/directory?category=money") in pages.links(page)


@pytest.mark.parametrize(("values", "reason"), REFUSED)
def test_a_post_straight_to_the_referral_form_is_refused(app, resident, values, reason):
    token = pages.csrf_token(resident.get("/passport"))
    set_listing(app, SERVICE, **values)

    posted = resident.post(
        f"/directory/services/{SERVICE}/refer",
        data={"csrf_token": token, "sections": ["about", "money"], "share_days": "90"},
    )
    assert posted.status_code == 409
    assert reason in pages.text(posted)
    assert referral_count(app) == 0


@pytest.mark.parametrize(("values", "reason"), REFUSED)
def test_confirming_a_draft_is_refused_once_the_service_cannot_take_it(
    app, resident, mailbox, values, reason
):
    draft = journeys.draft_referral(resident, SERVICE, ["about", "money"])
    check = resident.get(f"{draft}/check")
    set_listing(app, SERVICE, **values)

    shown = resident.get(f"{draft}/check")
    assert shown.status_code == 409
    assert reason in pages.text(shown)
    sent = resident.post(f"{draft}/check", data={"csrf_token": pages.csrf_token(check)})
    assert sent.status_code == 409
    assert reason in pages.text(sent)
    # Nothing went: still a draft, no e-mail to the organisation, no tally.
    assert mailbox.to(ORG_EMAIL) == []
    with app.app_context():
        assert db.session.scalar(select(Referral.status)) == "draft"
        assert db.session.scalar(select(func.count()).select_from(ServiceTally)) == 0


def test_changing_a_draft_is_refused_too(app, resident):
    draft = journeys.draft_referral(resident, SERVICE, ["about", "money"])
    form = resident.get(f"{draft}/change")
    set_listing(app, SERVICE, capacity=Capacity.NOT_ACCEPTING)

    posted = resident.post(
        f"{draft}/change",
        data={"csrf_token": pages.csrf_token(form), "sections": ["about"], "share_days": "30"},
    )
    assert posted.status_code == 409
    assert "not accepting referrals" in pages.text(posted)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"capacity": Capacity.WAITING_LIST, "wait_weeks": 6}, id="waiting-list"),
        pytest.param({"reviewed_on": STALE}, id="stale"),
        pytest.param({"reviewed_on": None}, id="never-reviewed"),
    ],
)
def test_a_waiting_list_or_a_stale_listing_still_takes_referrals(app, resident, mailbox, values):
    set_listing(app, SERVICE, **values)

    journeys.refer(resident, SERVICE, ["about", "money"])
    assert len(mailbox.to(ORG_EMAIL)) == 1


# The listing partial (results and the service page include it) -------------------------------


def render_status(app: Flask, slug: str):
    with app.test_request_context("/directory"), app.app_context():
        service = db.session.scalar(select(Service).where(Service.slug == slug))
        html = render_template("directory/_listing_status.html", service=service)
    return BeautifulSoup(html, "html.parser")


@pytest.mark.parametrize(
    ("values", "tag"),
    [
        ({"capacity": Capacity.ACCEPTING}, "Accepting referrals"),
        ({"capacity": Capacity.WAITING_LIST, "wait_weeks": 6}, "Waiting list, about 6 weeks"),
        ({"capacity": Capacity.WAITING_LIST, "wait_weeks": 1}, "Waiting list, about 1 week"),
        ({"capacity": Capacity.WAITING_LIST, "wait_weeks": None}, "Waiting list"),
        ({"capacity": Capacity.NOT_ACCEPTING}, "Not accepting referrals now"),
    ],
)
def test_the_capacity_shows_as_a_tag(app, listed, values, tag):
    set_listing(app, SERVICE, **values)
    shown = render_status(app, SERVICE).select_one(".govuk-tag")
    assert " ".join(shown.get_text().split()) == tag


def test_a_fresh_listing_says_when_it_was_reviewed_without_a_warning(app, listed):
    set_listing(app, SERVICE, reviewed_on=date(2026, 3, 3))
    shown = render_status(app, SERVICE)
    assert "Last reviewed 3 March 2026" in shown.get_text()
    assert shown.select(".govuk-warning-text") == []


@pytest.mark.parametrize(
    ("reviewed", "warning"),
    [
        (STALE, "These details have not been checked for over 6 months"),
        (HIDDEN, "You cannot refer yourself through this listing until they are checked"),
        (None, "We do not know when these details were last checked"),
    ],
)
def test_a_stale_listing_shows_a_warning(app, listed, reviewed, warning):
    set_listing(app, SERVICE, reviewed_on=reviewed)
    shown = render_status(app, SERVICE)
    found = shown.select_one(".govuk-warning-text")
    assert found is not None
    assert warning in " ".join(found.get_text().split())
    assert ("Last reviewed" in shown.get_text()) is (reviewed is not None)


# passport directory stale ---------------------------------------------------------------------


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_directory_stale_lists_the_stale_listings(app, listed):
    set_listing(app, SERVICE, reviewed_on=HIDDEN)
    set_listing(app, "housing-rights-advice", reviewed_on=STALE)
    set_listing(app, "job-club", reviewed_on=None)

    result = run(app, "directory", "stale")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "3 listings not reviewed in the last 6 months:"
    assert lines[1:] == [
        "- Job club (Eastbridge Works): never reviewed",
        f"- {SERVICE_NAME} ({ORGANISATION}): last reviewed 1 February 2025; hidden from referral",
        f"- Housing rights advice ({ORGANISATION}): last reviewed 1 August 2025",
    ]


def test_directory_stale_takes_other_months(app, listed):
    set_listing(app, SERVICE, reviewed_on=date(2026, 1, 2))
    assert run(app, "directory", "stale").output.startswith("Every listing was reviewed")

    result = run(app, "directory", "stale", "--months", "2")
    assert result.exit_code == 0
    assert f"- {SERVICE_NAME} ({ORGANISATION}): last reviewed 2 January 2026" in result.output
    assert "Housing rights advice" not in result.output


def test_directory_stale_refuses_a_negative_month(app, listed):
    result = run(app, "directory", "stale", "--months", "-1")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# How quickly a service answers ----------------------------------------------------------------


def tallies(app: Flask) -> list[tuple[str, date, int | None, bool | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(ServiceTally.kind, ServiceTally.day, ServiceTally.hours, ServiceTally.accepted)
            .join(Service)
            .where(Service.slug == SERVICE)
            .order_by(ServiceTally.kind, ServiceTally.hours)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def answer(org, mailbox, link: str, accept: bool) -> None:
    code = journeys.request_code(org, link, mailbox, ORG_EMAIL)
    assert journeys.enter_code(org, link, code).status_code == 302
    if accept:
        answered = post_form(org, f"{link}/accept", {})
    else:
        answered = post_form(org, f"{link}/decline", {"reason": "We are full this month."})
    assert answered.status_code == 302, answered.status_code


def refer_and_keep_link(resident, mailbox) -> str:
    journeys.refer(resident, SERVICE, ["about", "money"])
    return journeys.share_link(mailbox, ORG_EMAIL)


def test_a_sent_referral_and_its_answer_are_tallied_by_day(
    app, resident, org_client, mailbox, frozen_clock
):
    link = refer_and_keep_link(resident, mailbox)
    assert tallies(app) == [("sent", TODAY, None, None)]

    frozen_clock.advance(hours=50, minutes=59)
    answer(org_client, mailbox, link, accept=True)
    assert tallies(app) == [("replied", date(2026, 3, 5), 50, True), ("sent", TODAY, None, None)]


def test_a_decline_is_tallied_as_not_accepted(app, resident, org_client, mailbox, frozen_clock):
    link = refer_and_keep_link(resident, mailbox)
    frozen_clock.advance(hours=3)
    answer(org_client, mailbox, link, accept=False)
    assert tallies(app) == [("replied", TODAY, 3, False), ("sent", TODAY, None, None)]


def test_opening_or_withdrawing_is_no_reply(app, resident, org_client, mailbox):
    link = refer_and_keep_link(resident, mailbox)
    code = journeys.request_code(org_client, link, mailbox, ORG_EMAIL)
    journeys.enter_code(org_client, link, code)
    assert org_client.get(link).status_code == 200  # opened
    referral = journeys.refer(resident, SERVICE, ["about"])
    assert post_form(resident, f"{referral}/withdraw", {}).status_code == 302
    assert [kind for kind, *_rest in tallies(app)] == ["sent", "sent"]


def test_a_tally_holds_nothing_that_leads_to_the_referral(app, resident, org_client, mailbox):
    link = refer_and_keep_link(resident, mailbox)
    answer(org_client, mailbox, link, accept=True)
    with app.app_context():
        columns = {column["name"] for column in inspect(db.engine).get_columns("service_tallies")}
        assert columns == {"id", "service_id", "kind", "day", "hours", "accepted"}
        referral = db.session.scalars(select(Referral)).one()
        known = {referral.id, referral.passport_id, referral.grant_id}
        for tally in db.session.scalars(select(ServiceTally)):
            assert tally.id not in known


def responsiveness(client) -> str | None:
    shown = pages.soup(client.get(f"/directory/services/{SERVICE}")).select_one("#responsiveness")
    return " ".join(shown.get_text().split()) if shown else None


def test_the_service_page_shows_how_quickly_it_answers_after_ten_referrals(
    app, resident, org_client, mailbox, frozen_clock
):
    links = [refer_and_keep_link(resident, mailbox) for _ in range(9)]
    # Answers after 10, 30, 50 and 70 hours: the median is 40 hours, three in four accepted.
    for hours, link, accept in [(10, links[0], True), (20, links[1], True)]:
        frozen_clock.advance(hours=hours)
        answer(org_client, mailbox, link, accept)
    frozen_clock.advance(hours=20)
    answer(org_client, mailbox, links[2], accept=False)
    frozen_clock.advance(hours=20)
    answer(org_client, mailbox, links[3], accept=True)
    assert responsiveness(resident) is None  # 9 referrals: too few to say
    assert responsiveness(app.test_client()) is None

    refer_and_keep_link(resident, mailbox)

    for person in (resident, app.test_client()):
        shown = responsiveness(person)
        assert shown is not None
        assert "Usually replies within 2 days." in shown
        assert "Accepts 75% of the referrals it answers." in shown
        assert "Measured from 10 referrals" in shown
    other = pages.soup(app.test_client().get("/directory/services/housing-rights-advice"))
    assert other.select_one("#responsiveness") is None


@pytest.mark.parametrize(
    ("hours", "said"),
    [
        ([0, 0, 1], "Usually replies within an hour."),
        ([1, 5, 9], "Usually replies within 5 hours."),
        ([20, 24, 30], "Usually replies within 1 day."),
        ([24, 25, 400], "Usually replies within 2 days."),
    ],
)
def test_the_reply_time_in_plain_words(app, hours, said):
    with app.test_request_context("/"):
        found = listing.Responsiveness(
            sent=10, replied=3, median_hours=sorted(hours)[1], accepted=1
        )
        assert found.reply_time == said
        assert found.acceptance == "Accepts 33% of the referrals it answers."


# On the pages: the results and the service page include the partial --------------------------


@pytest.mark.parametrize(("values", "reason"), REFUSED)
def test_the_service_page_gives_the_reason_instead_of_the_start_button(
    app, resident, values, reason
):
    page = resident.get(f"/directory/services/{SERVICE}")
    assert ("Refer yourself", f"/directory/services/{SERVICE}/refer") in pages.links(page)
    set_listing(app, SERVICE, **values)

    page = resident.get(f"/directory/services/{SERVICE}")
    assert reason in " ".join(pages.soup(page).select_one("#cannot-refer").get_text().split())
    assert f"/directory/services/{SERVICE}/refer" not in [href for _text, href in pages.links(page)]


def test_the_results_and_the_service_page_show_capacity_and_freshness(app, listed, client):
    set_listing(
        app, SERVICE, capacity=Capacity.WAITING_LIST, wait_weeks=6, reviewed_on=date(2025, 8, 4)
    )
    service_page = pages.soup(client.get(f"/directory/services/{SERVICE}"))
    results = pages.soup(client.get("/directory?q=debt+advice+drop-in"))
    for shown in (service_page, results):
        status = shown.select_one(f"#listing-stale-{SERVICE}").find_parent(
            class_="np-listing-status"
        )
        words = " ".join(status.get_text().split())
        assert "Waiting list, about 6 weeks" in words
        assert "Last reviewed 4 August 2025" in words
        assert "not been checked for over 6 months" in words

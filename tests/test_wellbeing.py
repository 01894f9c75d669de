"""Wellbeing check-ins (issue 11): the four ONS questions, sealed under the passport's key,
shown as a chart beside a table of the same figures, offered after a completed referral."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from passport.database import db
from passport.wellbeing.models import CheckIn
from tests.support import journeys, pages, scenarios
from tests.support.mailbox import Mailbox
from tests.test_encryption_at_rest import raw_postgresql, raw_sqlite

CHECK_IN = "/passport/wellbeing/check-in"
WELLBEING = "/passport/wellbeing"
CODES = ("life", "worthwhile", "happy", "anxious")


@pytest.fixture
def resident(client: FlaskClient, mailbox: Mailbox) -> FlaskClient:
    journeys.sign_up(client, mailbox, f"resident-{scenarios.marker()}@example.net")
    return client


def check_in(client: FlaskClient, *scores: object):
    return journeys.post_form(client, CHECK_IN, dict(zip(CODES, scores, strict=True)))


def table_rows(response) -> list[tuple[str, list[int]]]:
    """(date, the four scores) for each row of the table, as shown: newest first."""
    rows = []
    for row in pages.soup(response).select("#checkins tbody tr"):
        cells = [int(td.get_text(strip=True)) for td in row.select("td[data-question]")]
        rows.append((row.th.get_text(strip=True), cells))
    return rows


def chart_panels(response) -> list[tuple[str, list[str]]]:
    """(title, texts) for each panel of the chart: its name, scale, latest score and dates."""
    svg = pages.soup(response).select_one("#chart svg")
    return [
        (
            panel.select_one(".np-chart__title").get_text(" ", strip=True),
            [text.get_text(strip=True) for text in panel.find_all("text")],
        )
        for panel in svg.select("g.np-chart__panel")
    ]


def marker_heights(response) -> list[list[float]]:
    """Each panel's markers, as the y at which each starts (higher score, smaller y)."""
    svg = pages.soup(response).select_one("#chart svg")
    heights = []
    for panel in svg.select("g.np-chart__panel"):
        markers = panel.find_all("path")[1:]  # the first path is the line
        heights.append([float(re.match(r"M[\d.]+,([\d.]+)", m["d"]).group(1)) for m in markers])
    return heights


def test_record_and_show_history_oldest_to_newest_in_the_chart_newest_first_in_the_table(
    resident, frozen_clock
):
    empty = resident.get(WELLBEING)
    assert "You have not checked in yet" in pages.text(empty)
    assert pages.soup(empty).select_one("#chart svg") is None
    assert check_in(resident, 3, 4, 2, 9).status_code == 302
    frozen_clock.advance(days=14)
    saved = check_in(resident, 6, 7, 5, 4)
    assert saved.headers["Location"].endswith(WELLBEING)
    frozen_clock.advance(days=14)
    check_in(resident, 8, 8, 7, 1)
    page = resident.get(WELLBEING)
    assert pages.flash_messages(page) == ["Your check-in has been saved."]
    assert page.headers["Cache-Control"] == "no-store"  # personal: no cache keeps it
    assert table_rows(page) == [
        ("31 Mar 2026", [8, 8, 7, 1]),
        ("17 Mar 2026", [6, 7, 5, 4]),
        ("3 Mar 2026", [3, 4, 2, 9]),
    ]
    panels = chart_panels(page)
    assert [title for title, _texts in panels] == [
        "Life satisfaction",
        "Worthwhile",
        "Happiness",
        "Anxiety – lower is better",
    ]
    # The chart's direct labels are the latest scores, and its dates the first and last.
    for (_title, texts), latest in zip(panels, [8, 8, 7, 1], strict=True):
        assert texts[-3:] == [str(latest), "3 Mar 2026", "31 Mar 2026"]
    # The markers stand where the table's figures say, oldest on the left.
    for heights, code in zip(marker_heights(page), range(4), strict=True):
        scores = [row[1][code] for row in reversed(table_rows(page))]
        order = sorted(range(3), key=lambda i: -scores[i])
        assert sorted(range(3), key=lambda i: heights[i]) == order


def test_the_chart_says_what_it_shows_and_that_lower_anxiety_is_better(resident):
    check_in(resident, 5, 5, 5, 5)
    check_in(resident, 7, 6, 8, 2)
    page = resident.get(WELLBEING)
    svg = pages.soup(page).select_one("#chart svg")
    assert svg["role"] == "img"
    assert svg["aria-labelledby"] == "chart-title chart-desc"
    assert svg.find("title", id="chart-title").get_text() == "Your wellbeing check-ins"
    desc = svg.find("desc", id="chart-desc").get_text(" ", strip=True)
    assert "your 2 check-ins" in desc
    assert "For anxiety, a lower score is better." in desc
    header = pages.soup(page).select("#checkins thead th")[4].get_text(" ", strip=True)
    assert header == "Anxiety (lower is better)"
    # Not by colour alone: each line has its own dash pattern and each marker its own shape.
    lines = svg.select("g.np-chart__panel > path[fill=none]")
    assert len({line.get("stroke-dasharray", "") for line in lines}) == 4
    shapes = {re.sub(r"[\d.,-]+", "", p.find_all("path")[1]["d"]) for p in svg.select("g")}
    assert len(shapes) == 4


@pytest.mark.parametrize(
    ("sent", "missing"),
    [
        ({"life": "7", "worthwhile": "11", "happy": "4"}, ["worthwhile", "anxious"]),
        (
            {"life": "7", "worthwhile": "-1", "happy": "4", "anxious": "x"},
            ["worthwhile", "anxious"],
        ),
        ({"life": "7", "worthwhile": "3.5", "happy": "4", "anxious": "10"}, ["worthwhile"]),
    ],
)
def test_bad_answers_are_named_and_what_was_chosen_is_kept(app, resident, sent, missing):
    response = journeys.post_form(resident, CHECK_IN, sent)
    assert response.status_code == 400
    assert pages.title(response).startswith("Error: How are you feeling?")
    messages = {
        "worthwhile": "Select a number from 0 to 10 for how worthwhile the things you do are",
        "anxious": "Select a number from 0 to 10 for how anxious you felt yesterday",
    }
    assert pages.error_summary(response) == [messages[code] for code in missing]
    for code in CODES:
        kept = pages.checked_values(response, code)
        assert kept == ([sent[code]] if code not in missing else [])
    with app.app_context():
        assert db.session.scalars(select(CheckIn)).all() == []
        db.session.remove()


def test_a_form_without_its_token_is_refused_and_nothing_is_recorded(app, resident):
    refused = resident.post(CHECK_IN, data=dict.fromkeys(CODES, "5"))
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(CheckIn)).all() == []
        db.session.remove()


def test_scores_and_dates_are_sealed_at_rest(app, resident, engine_name, frozen_clock):
    frozen_clock.now = frozen_clock.now.replace(year=2031, month=7, day=19)
    check_in(resident, 7, 3, 9, 1)
    with app.app_context():
        row = db.session.scalars(select(CheckIn)).one()
        row_id = row.id
        db.session.remove()
    if engine_name == "postgresql":
        raw = raw_postgresql(app)
    else:
        with app.app_context(), db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = raw_sqlite(app)
    # The positive control: the scan sees the row (its id is plain).
    assert row_id.hex.encode() in raw or str(row_id).encode() in raw
    for plain in (b"2031-07-19", b"07|03|09|01", b"2031"):
        assert plain not in raw


def test_another_residents_check_in_is_not_found(app, client, mailbox):
    journeys.sign_up(client, mailbox, f"first-{scenarios.marker()}@example.net")
    check_in(client, 4, 4, 4, 4)
    remove = next(h for _t, h in pages.links(client.get(WELLBEING)) if h.endswith("/remove"))
    journeys.sign_out(client)
    journeys.sign_up(client, mailbox, f"second-{scenarios.marker()}@example.net")
    assert client.get(remove).status_code == 404
    assert journeys.post_form(client, WELLBEING, {}).status_code in (404, 405)
    token = pages.csrf_token(client.get(WELLBEING))
    assert client.post(remove, data={"csrf_token": token}).status_code == 404
    assert table_rows(client.get(WELLBEING)) == []


def test_a_check_in_can_be_removed(resident, frozen_clock):
    check_in(resident, 4, 4, 4, 4)
    frozen_clock.advance(hours=1)
    check_in(resident, 6, 6, 6, 6)
    page = resident.get(WELLBEING)
    remove = next(h for _t, h in pages.links(page) if h.endswith("/remove"))  # the newest
    confirm = resident.get(remove)
    assert pages.heading(confirm) == "Remove your check-in of 3 March 2026?"
    assert journeys.post_form(resident, remove, {}).status_code == 302
    assert [scores for _date, scores in table_rows(resident.get(WELLBEING))] == [[4, 4, 4, 4]]


def test_the_page_in_welsh_dates_its_check_ins_in_welsh(resident, frozen_clock):
    check_in(resident, 5, 6, 7, 3)
    resident.set_cookie("lang", "cy")
    page = resident.get(WELLBEING)
    assert pages.soup(page).html["lang"] == "cy"
    assert table_rows(page) == [("3 Maw 2026", [5, 6, 7, 3])]
    assert "3 Maw 2026" in chart_panels(page)[0][1]
    remove = pages.soup(page).select_one("details a").get_text(strip=True)
    assert "3 Mawrth 2026" in remove


def test_offered_on_the_completed_referral_and_linked_from_the_passport(
    app, client, org_client, mailbox, demo_directory
):
    from tests.support import staff
    from tests.test_feedback import ORG, _complete_newest

    referred = scenarios.resident_with_referral(client, mailbox)
    assert pages.soup(client.get(referred.referral)).find(id="wellbeing-invite") is None
    staff.join(app, org_client, mailbox, f"staff-{scenarios.marker()}@example.org", "staff", ORG)
    _complete_newest(org_client)
    invite = pages.soup(client.get(referred.referral)).find(id="wellbeing-invite")
    assert invite.h2.get_text(strip=True) == "How are you feeling now?"
    assert invite.find("a")["href"] == CHECK_IN
    assert WELLBEING in [href for _text, href in pages.links(client.get("/passport"))]


def test_each_question_is_a_fieldset_of_eleven_radios_in_ons_words(resident):
    page = pages.soup(resident.get(CHECK_IN))
    fieldsets = page.select("main form fieldset")
    assert [f.legend.get_text(" ", strip=True) for f in fieldsets] == [
        "Overall, how satisfied are you with your life nowadays?",
        "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
        "Overall, how happy did you feel yesterday?",
        "Overall, how anxious did you feel yesterday?",
    ]
    for fieldset, code in zip(fieldsets, CODES, strict=True):
        radios = fieldset.select("input[type=radio]")
        assert [r["name"] for r in radios] == [code] * 11
        assert [r["value"] for r in radios] == [str(n) for n in range(11)]
        labels = [fieldset.find("label", attrs={"for": r["id"]}).get_text() for r in radios]
        assert labels[0] == "0 – Not at all" and labels[-1] == "10 – Completely"


def test_changing_language_on_the_form_keeps_the_answers_chosen(resident):
    from tests.test_nothing_lost import press_keep_language

    chosen = {"life": "7", "happy": "0"}
    back = press_keep_language(resident, resident.get(CHECK_IN), "cy", chosen)
    assert journeys.path_of(back) == CHECK_IN
    again = resident.get(CHECK_IN)
    assert pages.soup(again).html["lang"] == "cy"
    assert [pages.checked_values(again, code) for code in CODES] == [["7"], [], ["0"], []]


def test_the_same_form_sent_twice_records_one_check_in(app, resident):
    form = {**pages.hidden_fields(resident.get(CHECK_IN)), **dict.fromkeys(CODES, "6")}
    assert resident.post(CHECK_IN, data=form).status_code == 302
    assert resident.post(CHECK_IN, data=form).status_code == 302
    assert len(table_rows(resident.get(WELLBEING))) == 1

"""Session limits: signed out after 30 minutes without a request, and after 12 hours in
all; what a form sent after that had typed in it comes back after signing in again; and a
warning, for app.js to open, on every signed-in page (ADR 0030). All on the app's clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.support import journeys, pages, staff

EMAIL = "sam@example.net"
NEED = {"category": "money", "story": "Council tax arrears since March, letters every week."}
TIMED_OUT = "/you-have-been-signed-out"
IDLE_WHY = "We signed you out because you had not done anything for 30 minutes."
ABSOLUTE_WHY = "We signed you out because you had been signed in for 12 hours."
KEPT = "We have kept what you typed."


@pytest.fixture
def limits(app: Flask) -> Iterator[None]:
    app.config["SESSION_LIMITS"] = True
    yield
    app.config["SESSION_LIMITS"] = False


@pytest.fixture
def resident(client, mailbox, frozen_clock, limits):
    journeys.sign_up(client, mailbox, EMAIL)
    return client


def test_a_session_ends_after_30_minutes_without_a_request(resident, mailbox, frozen_clock):
    frozen_clock.advance(minutes=29)
    assert resident.get("/passport").status_code == 200
    frozen_clock.advance(minutes=29)  # 58 minutes in, but never 30 idle
    assert resident.get("/passport").status_code == 200

    frozen_clock.advance(minutes=30)
    ended = resident.get("/passport")
    assert ended.status_code == 302
    assert ended.headers["Location"] == TIMED_OUT
    page = resident.get(TIMED_OUT)
    assert pages.heading(page) == "You have been signed out"
    assert IDLE_WHY in pages.text(page)
    assert KEPT not in pages.text(page)
    assert ("Sign in again", "/sign-in") in pages.links(page)
    assert resident.get("/passport").headers["Location"].startswith("/sign-in")

    # Signing in again goes back to the page that was asked for.
    assert journeys.sign_in(resident, mailbox, EMAIL).headers["Location"] == "/passport"
    assert resident.get("/passport").status_code == 200


def test_a_session_ends_after_12_hours_however_busy(resident, frozen_clock):
    for _ in range(35):  # 11 hours 40 minutes, a request every 20 minutes
        frozen_clock.advance(minutes=20)
        assert resident.get("/passport").status_code == 200
    frozen_clock.advance(minutes=20)
    ended = resident.get("/passport")
    assert ended.headers["Location"] == TIMED_OUT
    assert ABSOLUTE_WHY in pages.text(resident.get(TIMED_OUT))
    assert resident.get("/account").status_code == 302


def test_a_form_sent_after_the_session_ended_keeps_what_was_typed(
    app, resident, mailbox, frozen_clock
):
    form = resident.get("/passport/needs/new")
    frozen_clock.advance(minutes=45)  # writing slowly
    sent = resident.post("/passport/needs/new", data={**pages.hidden_fields(form), **NEED})
    assert sent.status_code == 302
    assert sent.headers["Location"] == TIMED_OUT
    page = resident.get(TIMED_OUT)
    assert KEPT in pages.text(page)
    assert NEED["story"] not in pages.text(page)  # not shown to whoever is at the device

    signed_in = journeys.sign_in(resident, mailbox, EMAIL)
    assert signed_in.headers["Location"] == "/passport/needs/new"
    back = resident.get("/passport/needs/new")
    assert pages.field_value(back, "story") == NEED["story"]
    assert pages.flash_messages(back) == ["Check your answers and save again."]


def test_signed_in_pages_carry_the_warning_for_app_js(resident, frozen_clock):
    page = resident.get("/passport")
    warning = pages.soup(page).find(id="session-warning")
    assert warning is not None and warning.name == "dialog"
    assert not warning.has_attr("open")  # without JavaScript it never shows
    assert warning["data-session-ends-in"] == "1800"
    assert "You will be signed out soon" in warning.get_text()
    form = warning.find("form")
    assert form["action"] == "/stay-signed-in"

    frozen_clock.advance(minutes=25)
    token = pages.csrf_token(page)
    stayed = resident.post(
        "/stay-signed-in",
        data={"csrf_token": token, "next": "/passport"},
        headers={"Accept": "application/json"},
    )
    assert stayed.json == {"ends_in": 1800}
    frozen_clock.advance(minutes=25)  # 50 minutes in, 25 since staying signed in
    assert resident.get("/passport").status_code == 200

    without_js = resident.post("/stay-signed-in", data={"csrf_token": token, "next": "/passport"})
    assert without_js.headers["Location"] == "/passport"


def test_the_warning_counts_down_to_the_nearer_limit(resident, frozen_clock):
    for _ in range(35):
        frozen_clock.advance(minutes=20)
        resident.get("/passport")
    warning = pages.soup(resident.get("/passport")).find(id="session-warning")
    assert warning["data-session-ends-in"] == str(20 * 60)  # 12 hours, not 30 idle minutes


def test_no_warning_when_signed_out(client, limits):
    assert pages.soup(client.get("/")).find(id="session-warning") is None


def test_the_signed_out_page_renders_in_welsh(resident, frozen_clock):
    frozen_clock.advance(hours=1)
    resident.set_cookie("lang", "cy")
    assert resident.get("/passport").headers["Location"] == TIMED_OUT
    page = resident.get(TIMED_OUT)
    assert page.status_code == 200
    assert 'lang="cy"' in page.text


def test_a_work_session_ends_too_and_points_to_the_staff_sign_in(
    app, client, mailbox, demo_directory, frozen_clock, limits
):
    staff.join(app, client, mailbox, "admin@example.org", "admin", "eastbridge-advice-centre")
    assert client.get("/staff").status_code == 200
    frozen_clock.advance(minutes=31)
    assert client.get("/staff").headers["Location"] == TIMED_OUT
    page = client.get(TIMED_OUT)
    assert IDLE_WHY in pages.text(page)
    assert ("Sign in again", "/staff/sign-in") in pages.links(page)
    assert client.get("/staff").headers["Location"].startswith("/staff/sign-in")


def test_what_the_browser_fetches_by_itself_neither_ends_nor_extends_a_session(
    app, resident, frozen_clock
):
    from passport.accounts.session_limits import EXEMPT

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not EXEMPT - endpoints  # each name is a real endpoint
    frozen_clock.advance(minutes=20)
    for path in ("/sw.js", "/offline", "/manifest.webmanifest", "/healthz"):
        assert resident.get(path).status_code == 200, path
    frozen_clock.advance(minutes=11)  # 31 minutes since the last page a person asked for
    assert resident.get("/passport").headers["Location"] == TIMED_OUT

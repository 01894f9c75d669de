"""A form sent twice (a double click, a retry on a slow signal) does its work once, and the
second submit lands where the first one went: one need, one account, one code, one e-mail.

Each test sends exactly what a browser sends, the page's hidden fields included, one after
the other and (where two requests can race) from several threads at once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from passport.accounts.models import Account
from passport.database import db
from passport.extensions import limiter
from passport.needs.models import Need
from passport.referrals.models import Referral
from passport.sharing.models import AccessCode
from tests.support import journeys, pages, scenarios
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.scenarios import ORG_EMAIL, SERVICE, resident_with_referral
from tests.test_races import at_once

TIMES = 6


@pytest.fixture
def no_rate_limits() -> Iterator[None]:
    limiter.enabled = False
    yield
    limiter.enabled = True


def count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def form_of(client: FlaskClient, page: str, action: str | None = None) -> dict[str, str]:
    return pages.hidden_fields(client.get(page), action)


NEED = {"category": "money", "story": "Behind on council tax since March."}


def test_saving_a_new_need_twice_makes_one_need(app, client, mailbox):
    journeys.sign_up(client, mailbox, "sam@example.net")
    form = {**form_of(client, "/passport/needs/new"), **NEED}
    first = client.post("/passport/needs/new", data=form)
    second = client.post("/passport/needs/new", data=form)
    assert first.headers["Location"] == second.headers["Location"] == "/passport"
    assert count(app, Need) == 1
    passport = client.get("/passport")
    assert pages.flash_messages(passport) == ["Your need has been added to your passport."]
    # Not a double click: the page kept by the browser, changed and saved again.
    client.post("/passport/needs/new", data={**form, "story": "And now the rent too."})
    assert count(app, Need) == 2


def test_saving_a_new_need_twice_at_once_makes_one_need(app, client, mailbox, no_rate_limits):
    journeys.sign_up(client, mailbox, "sam@example.net")
    form = {**form_of(client, "/passport/needs/new"), **NEED}

    def save(_: int) -> int:
        response = client.post("/passport/needs/new", data=form)
        assert response.headers["Location"] == "/passport"
        return response.status_code

    assert set(at_once(TIMES, save)) == {302}
    assert count(app, Need) == 1
    # The same token from another session (here, after signing in again) is not a repeat.
    journeys.sign_out(client)
    journeys.sign_in(client, mailbox, "sam@example.net")
    fresh = form_of(client, "/passport/needs/new")
    client.post("/passport/needs/new", data={**form, "csrf_token": fresh["csrf_token"]})
    assert count(app, Need) == 2


def test_sending_a_referral_form_twice_makes_one_draft(app, client, mailbox, demo_directory):
    journeys.sign_up(client, mailbox, "sam@example.net")
    journeys.add_need(client, "money", "Behind on council tax.")
    journeys.answer_questions(client, SERVICE)  # its age question comes first
    page = f"/directory/services/{SERVICE}/refer"
    form = {**form_of(client, page), "sections": ["about", "money"], "share_days": "90"}
    first = client.post(page, data=form)
    second = client.post(page, data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app, Referral) == 1


def test_sending_a_referral_form_twice_at_once_makes_one_draft(
    app, client, mailbox, demo_directory, no_rate_limits
):
    journeys.sign_up(client, mailbox, "sam@example.net")
    journeys.add_need(client, "money", "Behind on council tax.")
    journeys.answer_questions(client, SERVICE)  # its age question comes first
    page = f"/directory/services/{SERVICE}/refer"
    form = {**form_of(client, page), "sections": ["about", "money"], "share_days": "90"}

    def send(_: int) -> str:
        return str(client.post(page, data=form).headers["Location"])

    assert len(set(at_once(TIMES, send))) == 1
    assert count(app, Referral) == 1


@pytest.mark.parametrize("method", ["sequential", "at once"])
def test_signing_up_twice_makes_one_account_and_sends_one_email(
    app, client, mailbox, no_rate_limits, method
):
    form = {**form_of(client, "/sign-up"), "email": "sam@example.net", "method": "link"}

    def sign_up(_: int) -> str:
        return str(client.post("/sign-up", data=form).headers["Location"])

    places = [sign_up(0), sign_up(1)] if method == "sequential" else at_once(TIMES, sign_up)
    assert set(places) == {"/check-your-email"}
    assert count(app, Account) == 1
    assert len(mailbox.to("sam@example.net")) == 1


def test_asking_for_a_sign_in_link_twice_sends_one_email(app, client, mailbox):
    journeys.sign_up(client, mailbox, "sam@example.net")
    journeys.sign_out(client)
    mailbox.clear()
    form = {**form_of(client, "/sign-in"), "email": "sam@example.net"}
    first = client.post("/sign-in", data=form)
    second = client.post("/sign-in", data=form)
    assert first.headers["Location"] == second.headers["Location"] == "/check-your-email"
    assert len(mailbox.to("sam@example.net")) == 1


def test_asking_for_a_confirmation_link_twice_sends_one_email(app, client, mailbox):
    journeys.sign_up_with_passkey(client, SoftwareAuthenticator(), "sam@example.net")
    mailbox.clear()
    form = form_of(client, "/account", "/account/email/confirm")
    first = client.post("/account/email/confirm", data=form)
    second = client.post("/account/email/confirm", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(mailbox.to("sam@example.net")) == 1
    assert pages.flash_messages(client.get("/account")) == [
        "We have emailed you a link. Open it to confirm your email address."
    ]


# The organisation's one-time code ----------------------------------------------------------


@pytest.mark.parametrize("method", ["sequential", "at once"])
def test_asking_for_a_code_twice_sends_one_code_that_works(
    app, client, mailbox, demo_directory, no_rate_limits, method
):
    referred = resident_with_referral(client, mailbox)
    org = app.test_client()
    send = f"{referred.share_link}/code/send"
    form = form_of(org, referred.share_link, send)
    mailbox.clear()

    def ask(_: int) -> str:
        return str(org.post(send, data=form).headers["Location"])

    places = [ask(0), ask(1)] if method == "sequential" else at_once(TIMES, ask)
    assert set(places) == {f"{referred.share_link}/code"}
    assert len(mailbox.to(ORG_EMAIL)) == 1
    entered = journeys.enter_code(org, referred.share_link, mailbox.code_to(ORG_EMAIL))
    assert entered.headers["Location"] == referred.share_link


def test_a_code_sent_twice_lands_on_the_referral_without_another_try(
    app, client, mailbox, demo_directory
):
    referred = resident_with_referral(client, mailbox)
    org = app.test_client()
    code = journeys.request_code(org, referred.share_link, mailbox, ORG_EMAIL)
    form = {**form_of(org, f"{referred.share_link}/code"), "code": code}
    first = org.post(f"{referred.share_link}/code", data=form)
    second = org.post(f"{referred.share_link}/code", data=form)
    assert first.headers["Location"] == second.headers["Location"] == referred.share_link
    with app.app_context():
        assert db.session.scalar(select(AccessCode.attempts)) == 1
    assert referred.story in pages.text(org.get(referred.share_link))


def test_a_code_sent_twice_at_once_opens_the_referral_for_the_browser_that_sent_it(
    app, client, mailbox, demo_directory, no_rate_limits
):
    # Both requests leave with the same cookie, before either answer comes back: the
    # second cannot show that the first one already let this browser in.
    referred = resident_with_referral(client, mailbox)
    org = app.test_client()
    code = journeys.request_code(org, referred.share_link, mailbox, ORG_EMAIL)
    form = {**form_of(org, f"{referred.share_link}/code"), "code": code}
    cookie = org.get_cookie("passport_session")
    assert cookie is not None
    tabs = [app.test_client() for _ in range(TIMES)]
    for tab in tabs:
        tab.set_cookie("passport_session", cookie.value)

    def enter(n: int) -> str:
        response = tabs[n].post(f"{referred.share_link}/code", data=form)
        return str(response.headers.get("Location", response.status_code))

    assert set(at_once(TIMES, enter)) == {referred.share_link}
    with app.app_context():
        assert db.session.scalar(select(AccessCode.attempts)) == 1
    for tab in tabs:
        opened = tab.get(referred.share_link)
        assert opened.status_code == 200
        assert referred.story in pages.text(opened)
    # Another browser with the same form and code is let in by nothing.
    stranger = app.test_client()
    stranger.get(f"{referred.share_link}/code")
    refused = stranger.post(f"{referred.share_link}/code", data=form)
    assert refused.status_code in (200, 400)
    assert referred.story not in pages.text(stranger.get(referred.share_link))


def test_removing_a_need_twice_lands_where_the_first_went(app, client, mailbox):
    journeys.sign_up(client, mailbox, "sam@example.net")
    journeys.add_need(client, "money", "Behind on council tax.")
    (need_id,) = scenarios.ids_in(client.get("/passport"), "/passport/needs/{id}/delete")
    page = f"/passport/needs/{need_id}/delete"
    form = form_of(client, page)
    first = client.post(page, data=form)
    second = client.post(page, data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == "/passport"
    assert count(app, Need) == 0
    assert pages.flash_messages(client.get("/passport")) == [
        "The need has been removed from your passport."
    ]
    assert client.get(page).status_code == 404


def test_stopping_a_share_twice_lands_where_the_first_went(app, client, mailbox, demo_directory):
    resident_with_referral(client, mailbox)
    (grant_id,) = scenarios.ids_in(client.get("/passport"), "/passport/shares/{id}/stop")
    page = f"/passport/shares/{grant_id}/stop"
    form = form_of(client, page)
    first = client.post(page, data=form)
    second = client.post(page, data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == "/passport"
    (message,) = pages.flash_messages(client.get("/passport"))
    assert message.endswith("can no longer see your passport.")
    assert client.get(page).status_code == 404


def test_someone_elses_stopped_share_is_not_found(app, client, mailbox, demo_directory):
    resident_with_referral(client, mailbox)
    (grant_id,) = scenarios.ids_in(client.get("/passport"), "/passport/shares/{id}/stop")
    page = f"/passport/shares/{grant_id}/stop"
    journeys.post_form(client, page, {})
    journeys.sign_out(client)
    journeys.sign_up(client, mailbox, "other@example.net")
    assert client.get(page).status_code == 404
    assert client.post(page, data=form_of(client, "/passport/needs/new")).status_code == 404

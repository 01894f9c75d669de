"""Limits and one-way steps hold when requests arrive at the same moment.

Each test sends real requests from several threads at once, against the real database,
with rate limits off so that the database guard itself is what is tested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from passport.accounts.models import SignInLink
from passport.database import db
from passport.extensions import limiter
from passport.referrals.lifecycle import Status
from passport.referrals.models import Referral, ReferralEvent
from passport.sharing.models import AccessCode, ShareGrant, ShareLink
from tests.support import journeys, pages
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.scenarios import ORG_EMAIL, SERVICE, resident_with_referral

THREADS = 12


@pytest.fixture
def no_rate_limits() -> Iterator[None]:
    limiter.enabled = False
    yield
    limiter.enabled = True


def at_once(count: int, request: Callable[[int], int]) -> list[int]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(request, range(count)))


def test_parallel_wrong_codes_count_no_more_than_five_tries(
    app, client, mailbox, demo_directory, no_rate_limits
):
    referred = resident_with_referral(client, mailbox)
    org = app.test_client()
    code = journeys.request_code(org, referred.share_link, mailbox, ORG_EMAIL)
    wrong = journeys.other_code(code)
    token = pages.csrf_token(org.get(f"{referred.share_link}/code"))

    def guess(_: int) -> int:
        response = org.post(
            f"{referred.share_link}/code", data={"csrf_token": token, "code": wrong}
        )
        return response.status_code

    assert set(at_once(THREADS, guess)) == {200}
    with app.app_context():
        assert db.session.scalar(select(AccessCode.attempts)) == 5
        assert db.session.scalar(select(ShareLink.failed_codes)) == 5
    # The right code no longer opens it: the code is spent.
    assert journeys.enter_code(org, referred.share_link, code).status_code == 200


def test_a_link_locks_for_good_after_twenty_wrong_codes(
    app, client, mailbox, demo_directory, no_rate_limits
):
    referred = resident_with_referral(client, mailbox)
    org = app.test_client()
    journeys.enter_wrong_codes(org, referred.share_link, mailbox, ORG_EMAIL)
    locked = org.get(referred.share_link)
    assert locked.status_code == 410
    assert pages.heading(locked) == "This link has been locked"
    sent = org.post(
        f"{referred.share_link}/code/send", data={"csrf_token": pages.csrf_token(locked)}
    )
    assert sent.status_code == 410


def test_a_sign_in_link_signs_in_only_once_even_at_the_same_moment(
    app, client, mailbox, no_rate_limits
):
    journeys.post_form(client, "/sign-up", {"email": "sam@example.net", "method": "link"})
    link = journeys.path_of(mailbox.link_to("sam@example.net", "/sign-in/link/"))
    browsers = [app.test_client() for _ in range(THREADS)]
    tokens = [pages.csrf_token(browser.get(link)) for browser in browsers]

    def open_link(n: int) -> int:
        return browsers[n].post(link, data={"csrf_token": tokens[n]}).status_code

    results = at_once(THREADS, open_link)
    assert sorted(results) == [302] + [410] * (THREADS - 1)
    signed_in = [b for b in browsers if b.get("/passport").status_code == 200]
    assert len(signed_in) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignInLink)) == 1


def test_a_passkey_answer_signs_in_only_once_even_at_the_same_moment(
    app, client, mailbox, no_rate_limits
):
    # Synced passkeys report no sign count: only the spent challenge stops the copies.
    phone = SoftwareAuthenticator(counter=False)
    journeys.sign_up_with_passkey(client, phone, "sam@example.net")
    journeys.sign_out(client)
    headers = journeys.csrf_header(client, "/sign-in")
    options = client.post("/sign-in/passkey/options", headers=headers).get_json()
    cookie = client.get_cookie("passport_session")
    assert cookie is not None
    answer = phone.get(options)
    browsers = [app.test_client() for _ in range(THREADS)]
    for browser in browsers:
        browser.set_cookie("passport_session", cookie.value)

    def verify(n: int) -> int:
        return browsers[n].post("/sign-in/passkey/verify", json=answer, headers=headers).status_code

    assert sorted(at_once(THREADS, verify)) == [200] + [400] * (THREADS - 1)
    signed_in = [b for b in browsers if b.get("/passport").status_code == 200]
    assert len(signed_in) == 1


def test_sending_a_referral_twice_at_once_makes_one_share_and_one_email(
    app, client, mailbox, demo_directory, no_rate_limits
):
    journeys.sign_up(client, mailbox, "sam@example.net")
    journeys.add_need(client, "money", "Behind on council tax.")
    path = journeys.draft_referral(client, SERVICE, ["about", "money"])
    token = pages.csrf_token(client.get(f"{path}/check"))
    mailbox.clear()

    def send(_: int) -> int:
        return client.post(f"{path}/check", data={"csrf_token": token}).status_code

    assert set(at_once(6, send)) == {302}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ShareGrant)) == 1
    assert len(mailbox.to(ORG_EMAIL)) == 1


def test_wrong_codes_at_once_tell_the_resident_once_that_the_link_locked(
    app, client, mailbox, demo_directory, no_rate_limits
):
    referred = resident_with_referral(client, mailbox)
    org = app.test_client()
    journeys.enter_wrong_codes(org, referred.share_link, mailbox, ORG_EMAIL, rounds=3)
    code = journeys.request_code(org, referred.share_link, mailbox, ORG_EMAIL)
    wrong = journeys.other_code(code)
    token = pages.csrf_token(org.get(f"{referred.share_link}/code"))
    mailbox.clear()

    def guess(_: int) -> int:
        response = org.post(
            f"{referred.share_link}/code", data={"csrf_token": token, "code": wrong}
        )
        return response.status_code

    at_once(THREADS, guess)
    with app.app_context():
        assert db.session.scalar(select(ShareLink.failed_codes)) == 20
    assert [m.subject for m in mailbox.to(referred.email)] == ["A link you shared has been locked"]
    assert org.get(referred.share_link).status_code == 410


def test_sending_a_new_link_twice_at_once_sends_one(
    app, client, mailbox, demo_directory, no_rate_limits
):
    referred = resident_with_referral(client, mailbox)
    org = app.test_client()
    journeys.enter_wrong_codes(org, referred.share_link, mailbox, ORG_EMAIL)
    token = pages.csrf_token(client.get(referred.referral))
    mailbox.clear()

    def send(_: int) -> int:
        return client.post(f"{referred.referral}/new-link", data={"csrf_token": token}).status_code

    assert set(at_once(6, send)) == {302}
    assert [m.subject for m in mailbox.to(ORG_EMAIL)] == ["A new link to a referral"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ShareLink)) == 2


def _org_with_code(app, client, mailbox) -> tuple[str, str, object]:
    """A resident's referral, accepted by the organisation, whose browser holds the code."""
    referred = resident_with_referral(client, mailbox)
    org = app.test_client()
    code = journeys.request_code(org, referred.share_link, mailbox, ORG_EMAIL)
    assert journeys.enter_code(org, referred.share_link, code).status_code == 302
    token = pages.csrf_token(org.get(referred.share_link))
    assert org.post(f"{referred.share_link}/accept", data={"csrf_token": token}).status_code == 302
    return referred.referral, referred.share_link, org


def test_colleagues_putting_a_referral_on_hold_at_once_make_one_hold(
    app, client, mailbox, demo_directory, no_rate_limits
):
    path, link, org = _org_with_code(app, client, mailbox)
    token = pages.csrf_token(org.get(link))
    mailbox.clear()
    reasons = [f"Reason number {n}." for n in range(THREADS)]

    def hold(n: int) -> int:
        data = {"csrf_token": token, "reason": reasons[n]}
        return org.post(f"{link}/hold", data=data).status_code

    results = at_once(THREADS, hold)
    assert sorted(results) == [302] + [409] * (THREADS - 1)
    with app.app_context():
        held = db.session.scalar(
            select(func.count())
            .select_from(ReferralEvent)
            .where(ReferralEvent.status == Status.ON_HOLD)
        )
        assert held == 1
    text = pages.text(client.get(path))
    assert sum(reason in text for reason in reasons) == 1
    # The resident is told once.
    assert [m.subject for m in mailbox.messages] == ["There is an update"]


def test_withdrawing_while_the_organisation_completes_lets_one_win(
    app, client, mailbox, demo_directory, no_rate_limits
):
    path, link, org = _org_with_code(app, client, mailbox)
    org_token = pages.csrf_token(org.get(link))
    assert org.post(f"{link}/start", data={"csrf_token": org_token}).status_code == 302
    resident_token = pages.csrf_token(client.get(path))

    def act(n: int) -> int:
        if n % 2:
            data = {"csrf_token": resident_token, "reason": "Found help elsewhere."}
            return client.post(f"{path}/withdraw", data=data).status_code
        data = {"csrf_token": org_token, "outcome": "helped", "details": "Done."}
        return org.post(f"{link}/complete", data=data).status_code

    results = at_once(THREADS, act)
    assert results.count(302) >= 1
    with app.app_context():
        finals = db.session.scalars(
            select(ReferralEvent.status).where(
                ReferralEvent.status.in_([Status.WITHDRAWN, Status.COMPLETED])
            )
        ).all()
        assert len(finals) == 1, finals
        status = db.session.scalar(select(Referral.status))
        assert status == finals[0]
        # Either way the organisation no longer sees the passport.
        assert db.session.scalar(select(ShareGrant.revoked_at)) is not None

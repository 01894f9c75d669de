"""Recovery codes: ten, shown once, kept only as keyed hashes, each good for one sign-in,
all replaced when new ones are made, and guessing them is rate limited (ADR 0030)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

import pytest
from sqlalchemy import select, text

from passport.accounts import recovery
from passport.accounts.models import RecoveryCode
from passport.database import db
from passport.extensions import limiter
from tests.support import journeys, pages

EMAIL = "sam@example.net"
SIGNED_IN = "You have signed in with a recovery code."
WRONG = "That recovery code is not right, or it has been used. Check it and try again."


@pytest.fixture
def resident(client, mailbox):
    journeys.sign_up(client, mailbox, EMAIL)
    return client


@pytest.fixture
def no_rate_limits() -> Iterator[None]:
    limiter.enabled = False
    yield
    limiter.enabled = True


def make_codes(client) -> list[str]:
    made = journeys.post_form(client, "/account/recovery-codes", {})
    assert made.status_code == 302
    assert made.headers["Location"] == "/account/recovery-codes/new"
    page = client.get("/account/recovery-codes/new")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    listed = pages.soup(page).find(id="recovery-codes")
    assert listed is not None
    codes = [item.get_text(strip=True) for item in listed.find_all("li")]
    download = pages.soup(page).find(id="download-codes")
    assert download["download"] == "needs-passport-recovery-codes.txt"
    prefix, _, body = download["href"].partition(",")
    assert prefix == "data:text/plain;charset=utf-8"
    assert unquote(body).split("\r\n") == ["Needs Passport recovery codes", "", *codes]
    return codes


def use_code(client, code: str):
    return journeys.post_form(client, "/sign-in/recovery-code", {"code": code})


def test_ten_readable_codes_are_shown_once_and_kept_only_hashed(app, resident):
    assert "You do not have any recovery codes." in pages.text(resident.get("/account"))
    codes = make_codes(resident)

    assert len(codes) == 10 == len(set(codes))
    for code in codes:
        groups = code.split("-")
        assert [len(group) for group in groups] == [4, 4, 4, 4]
        assert not set("".join(groups)) - set(recovery.ALPHABET)
        assert not set("".join(groups)) & set("01OIL")
    page = pages.text(resident.get("/account/recovery-codes/new"))  # never again
    assert not any(code in page for code in codes)
    assert "You have 10 recovery codes left." in pages.text(resident.get("/account"))

    with app.app_context():
        stored = db.session.execute(text("SELECT * FROM recovery_codes")).all()
        assert len(stored) == 10
        dump = repr(stored)
        for code in codes:
            assert code not in dump and code.replace("-", "") not in dump
        assert {row.code_hash for row in stored} == {recovery._hash(code) for code in codes}


def test_a_code_signs_in_once_and_suggests_a_passkey(resident):
    codes = make_codes(resident)
    journeys.sign_out(resident)

    signed_in = use_code(resident, codes[3].lower().replace("-", " "))  # as typed from paper
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "/account"
    page = resident.get("/account")
    assert any(SIGNED_IN in message for message in pages.flash_messages(page))
    assert "Add a passkey" in pages.text(page)
    assert "You have 9 recovery codes left." in pages.text(page)

    journeys.sign_out(resident)
    again = use_code(resident, codes[3])
    assert again.status_code == 200
    assert pages.error_summary(again) == [WRONG]
    assert resident.get("/passport").status_code == 302


def test_the_page_warns_when_few_codes_are_left(resident):
    codes = make_codes(resident)
    for code in codes[:8]:
        journeys.sign_out(resident)
        assert use_code(resident, code).status_code == 302
    page = resident.get("/account")
    warning = pages.soup(page).find(id="recovery-codes-left")
    assert warning is not None and "govuk-warning-text" in warning["class"]
    assert "You have 2 recovery codes left. Make new codes before you run out." in pages.text(page)


def test_making_new_codes_stops_the_old_ones_working(resident):
    old = make_codes(resident)
    warned = pages.text(resident.get("/account/recovery-codes"))
    assert "If you make new codes, the codes you have now stop working." in warned
    new = make_codes(resident)
    assert not set(old) & set(new)
    journeys.sign_out(resident)
    assert pages.error_summary(use_code(resident, old[0])) == [WRONG]
    assert use_code(resident, new[0]).status_code == 302


def test_a_wrong_or_empty_code_is_an_error_on_the_page_keeping_what_was_typed(client):
    wrong = use_code(client, "AAAA-BBBB-CCCC-DDDD")
    assert wrong.status_code == 200
    assert pages.error_summary(wrong) == [WRONG]
    assert pages.field_value(wrong, "code") == "AAAA-BBBB-CCCC-DDDD"
    assert pages.error_summary(use_code(client, "")) == ["Enter a recovery code"]
    assert client.get("/passport").status_code == 302


def test_guessing_codes_is_rate_limited(client):
    token = pages.csrf_token(client.get("/sign-in/recovery-code"))
    answers = [
        client.post(
            "/sign-in/recovery-code", data={"csrf_token": token, "code": f"AAAA-BBBB-CCCC-{n:04}"}
        ).status_code
        for n in range(11)
    ]
    assert answers == [200] * 10 + [429]


def test_two_uses_of_one_code_at_the_same_moment_sign_in_once(
    app, resident, mailbox, no_rate_limits
):
    code = make_codes(resident)[0]
    journeys.sign_out(resident)
    browsers = [app.test_client() for _ in range(8)]
    tokens = [pages.csrf_token(browser.get("/sign-in/recovery-code")) for browser in browsers]

    def use(n: int) -> int:
        data = {"csrf_token": tokens[n], "code": code}
        return browsers[n].post("/sign-in/recovery-code", data=data).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(use, range(8)))
    assert sorted(results) == [200] * 7 + [302]
    assert sum(b.get("/passport").status_code == 200 for b in browsers) == 1
    with app.app_context():
        used = db.session.scalars(select(RecoveryCode).where(RecoveryCode.used_at.isnot(None)))
        assert len(list(used)) == 1


def test_the_pages_render_in_welsh(resident):
    resident.set_cookie("lang", "cy")
    for path in ("/account/recovery-codes", "/account"):
        page = resident.get(path)
        assert page.status_code == 200
        assert 'lang="cy"' in page.text
    journeys.sign_out(resident)
    page = resident.get("/sign-in/recovery-code")
    assert page.status_code == 200
    assert 'lang="cy"' in page.text

"""On a phone the header stays a few lines tall, with or without JavaScript, and every link in
it is in view and works."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext, expect

from e2e import journeys
from e2e.conftest import LiveServer, People
from e2e.pages import BasePage, DirectoryPage, PassportPage, ReferralsPage, StartPage

PHONE = {"width": 375, "height": 667}
HEADER_AT_MOST = 120  # px: the name, the language switch and the menu in a few short rows


@pytest.fixture
def people(new_context: Callable[..., BrowserContext], live_server: LiveServer) -> Iterator[People]:
    crowd = People(new_context, live_server, viewport=PHONE)
    yield crowd
    crowd.check_everyone()


def check_header(page: BasePage, links: list[str]) -> None:
    """Compact, and every menu link (and the language switch) in view without scrolling."""
    assert page.header_height() <= HEADER_AT_MOST, page.header_height()
    for label in links:
        expect(page.menu.get_by_role("link", name=page.t(label), exact=True)).to_be_in_viewport()
    expect(page.page.locator("header .np-language")).to_be_in_viewport()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_on_a_phone_the_header_is_compact_and_every_link_in_it_works(people, javascript):
    person = people(javascript=javascript)
    start = StartPage.open(person)
    check_header(start, ["Home", "Find a service", "Sign in"])
    person.nav("Find a service")
    check_header(DirectoryPage(person), ["Home", "Find a service", "Sign in"])

    journeys.sign_up(person, f"kim-{uuid.uuid4().hex[:8]}@example.net")
    signed_in = ["Your passport", "Find a service", "Your referrals"]
    for label, page in (
        ("Find a service", DirectoryPage),
        ("Your referrals", ReferralsPage),
        ("Your passport", PassportPage),
    ):
        person.nav(label)
        landed = page(person)
        check_header(landed, signed_in)
        expect(landed.menu.get_by_role("button", name=landed.t("Sign out"))).to_be_in_viewport()

    person.switch_language("cy")
    passport = PassportPage(person)
    check_header(passport, signed_in)
    passport.sign_out()

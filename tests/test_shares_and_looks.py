"""What the resident sees of their shares: each names the referral it is for, and each visit
by an organisation is one look, naming the referral too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from passport.extensions import limiter
from tests.support import journeys, pages
from tests.support.mailbox import Mailbox

RESIDENT = "rhian@example.net"
ORGANISATION = "Eastbridge Advice Centre"
ORG_EMAIL = "referrals@eastbridge-advice.example.org"
DEBT = ("debt-advice-drop-in", "Debt advice drop-in")
HOUSING = ("housing-rights-advice", "Housing rights advice")


@pytest.fixture(autouse=True)
def clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def no_rate_limits() -> Iterator[None]:
    limiter.enabled = False
    yield
    limiter.enabled = True


@pytest.fixture
def resident(client: FlaskClient, mailbox: Mailbox, demo_directory: None) -> FlaskClient:
    journeys.sign_up(client, mailbox, RESIDENT)
    journeys.add_about(client, name="Rhian Evans", phone="07700 900456")
    journeys.add_need(client, "money", "I am behind on my gas bill.")
    journeys.add_need(client, "housing", "My flat is damp.")
    return client


def refer(resident: FlaskClient, mailbox: Mailbox, slug: str, sections: list[str]) -> tuple:
    """Refer to a service; returns the resident's path and the organisation's link."""
    path = journeys.refer(resident, slug, sections)
    return path, journeys.share_link(mailbox, ORG_EMAIL)


def visit(org: FlaskClient, link: str, mailbox: Mailbox) -> None:
    """Open the link with a new code: one visit."""
    code = journeys.request_code(org, link, mailbox, ORG_EMAIL)
    assert journeys.enter_code(org, link, code).status_code == 302
    assert org.get(link).status_code == 200


def looks(response) -> list[str]:
    return [
        " ".join(item.get_text().split()) for item in pages.soup(response).select("#access-log li")
    ]


def look_links(response) -> list[str]:
    return [a["href"] for a in pages.soup(response).select("#access-log li a")]


def share_rows(response) -> list[tuple[str, list[str]]]:
    """The 'Who can see your passport' rows: their text and the links in them."""
    heading = pages.soup(response).find("h2", string="Who can see your passport")
    assert heading is not None
    rows = heading.find_next("dl").select(".govuk-summary-list__row")
    return [
        (" ".join(row.get_text().split()), [str(a["href"]) for a in row.find_all("a")])
        for row in rows
    ]


def test_each_share_names_the_referral_it_is_for(resident, mailbox, clock):
    debt, _ = refer(resident, mailbox, DEBT[0], ["about", "money"])
    clock.advance(minutes=1)
    housing, _ = refer(resident, mailbox, HOUSING[0], ["about", "housing"])

    rows = share_rows(resident.get("/passport"))

    assert [text for text, _links in rows] == [
        f"{ORGANISATION} For your referral to {HOUSING[1]} About you, Housing "
        f"Until 1 June 2026 Stop sharing with {ORGANISATION} for your referral to {HOUSING[1]}",
        f"{ORGANISATION} For your referral to {DEBT[1]} About you, Money and debt "
        f"Until 1 June 2026 Stop sharing with {ORGANISATION} for your referral to {DEBT[1]}",
    ]
    assert [links[0] for _text, links in rows] == [housing, debt]
    stops = [links[1] for _text, links in rows]
    stop = resident.get(stops[1])
    assert f"This is what you shared with them for your referral to {DEBT[1]}." in pages.text(stop)


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_answering_is_part_of_the_one_look(resident, org_client, mailbox, clock, answer):
    path, link = refer(resident, mailbox, DEBT[0], ["about", "money"])
    visit(org_client, link, mailbox)
    clock.advance(minutes=2)
    if answer == "accept":
        answered = journeys.post_form(org_client, f"{link}/accept", {})
        assert org_client.get(answered.headers["Location"]).status_code == 200
    else:
        answered = journeys.post_form(org_client, f"{link}/decline", {"reason": "We are full."})
        org_client.get(answered.headers["Location"])
    assert answered.status_code == 302

    passport = resident.get("/passport")
    assert looks(passport) == [
        f"{ORGANISATION} looked at About you, Money and debt for your referral to {DEBT[1]} "
        "on 3 March 2026 at 10:14"
    ]
    assert look_links(passport) == [path]


def test_coming_back_during_a_visit_is_the_same_look(resident, org_client, mailbox, clock):
    _, link = refer(resident, mailbox, DEBT[0], ["about", "money", "housing"])
    visit(org_client, link, mailbox)
    for _ in range(3):
        clock.advance(minutes=10)
        assert org_client.get(link).status_code == 200

    assert looks(resident.get("/passport")) == [
        f"{ORGANISATION} looked at About you, Housing, Money and debt for your referral to "
        f"{DEBT[1]} on 3 March 2026 at 10:14"
    ]


def test_a_need_added_back_during_a_visit_joins_its_look(resident, org_client, mailbox, clock):
    _, link = refer(resident, mailbox, DEBT[0], ["about", "money"])
    [remove_money] = [
        href
        for _text, href in pages.links(resident.get("/passport"))
        if href.endswith("/delete") and "Money" in _text
    ]
    assert journeys.post_form(resident, remove_money, {}).status_code == 302
    visit(org_client, link, mailbox)
    clock.advance(minutes=5)
    journeys.add_need(resident, "money", "The bailiffs wrote again.")
    assert "The bailiffs wrote again." in pages.text(org_client.get(link))

    assert looks(resident.get("/passport")) == [
        f"{ORGANISATION} looked at About you, Money and debt for your referral to {DEBT[1]} "
        "on 3 March 2026 at 10:14"
    ]


def test_each_visit_is_a_look_and_names_its_own_referral(
    app, resident, org_client, mailbox, clock, no_rate_limits
):
    debt, debt_link = refer(resident, mailbox, DEBT[0], ["about", "money"])
    housing, housing_link = refer(resident, mailbox, HOUSING[0], ["housing"])
    visit(org_client, debt_link, mailbox)
    clock.advance(hours=3)  # the visit is over: the next needs a new code
    visit(org_client, debt_link, mailbox)
    clock.advance(minutes=1)
    visit(app.test_client(), housing_link, mailbox)  # a colleague, at the same time

    expected = [
        f"{ORGANISATION} looked at Housing for your referral to {HOUSING[1]} "
        "on 3 March 2026 at 13:15",
        f"{ORGANISATION} looked at About you, Money and debt for your referral to {DEBT[1]} "
        "on 3 March 2026 at 13:14",
        f"{ORGANISATION} looked at About you, Money and debt for your referral to {DEBT[1]} "
        "on 3 March 2026 at 10:14",
    ]
    passport = resident.get("/passport")
    assert looks(passport) == expected
    assert look_links(passport) == [housing, debt, debt]
    history = resident.get("/passport/looked-at")
    assert looks(history) == expected
    assert look_links(history) == [housing, debt, debt]


def test_in_welsh_the_service_names_are_marked_english(resident, org_client, mailbox):
    path, link = refer(resident, mailbox, DEBT[0], ["about", "money"])
    visit(org_client, link, mailbox)
    page = resident.get("/passport")
    resident.post("/language", data={"csrf_token": pages.csrf_token(page), "lang": "cy"})

    passport = resident.get("/passport")
    named = pages.soup(passport).select(f'main a[href="{path}"]')
    assert [(a.get_text(), a.get("lang")) for a in named] == [(DEBT[1], "en"), (DEBT[1], "en")]
    hidden = pages.soup(passport).select_one("main .govuk-summary-list__actions span[lang]")
    assert hidden is not None and (hidden.get_text(), hidden["lang"]) == (DEBT[1], "en")
    [stop] = [href for _text, href in pages.links(passport) if href.endswith("/stop")]
    marked = pages.soup(resident.get(stop)).select_one("main p span[lang]")
    assert marked is not None and (marked.get_text(), marked["lang"]) == (DEBT[1], "en")

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

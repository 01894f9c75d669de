"""'Exit this page' wherever sensitive content can be typed or shown, and how to leave quickly.

The needs form's own cases are in test_needs.py, the referral pages' in test_referrals.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.support import Translations

from tests.support import journeys, pages
from tests.support.journeys import post_form

WELSH = Translations.load(
    str(Path(__file__).resolve().parents[1] / "passport" / "i18n"), ["cy"], "messages"
)
LEAVE_QUICKLY = "How to leave this site quickly and cover your tracks"
HELP_LINK = "How to leave this site quickly"
HELPLINE = "domestic-abuse-helpline"
DEBT_ADVICE = "debt-advice-drop-in"


@pytest.fixture
def resident(client, mailbox, demo_directory):
    journeys.sign_up(client, mailbox, "alex@example.net")
    return client


def in_welsh(client) -> None:
    assert post_form(client, "/language", {"lang": "cy", "next": "/"}).status_code == 302


def exit_area_text(response) -> str:
    area = pages.soup(response).find(id="exit-this-page")
    assert area is not None
    return " ".join(area.get_text().split())


# The directory ---------------------------------------------------------------------------------


def test_the_directory_filtered_to_domestic_abuse_shows_exit_this_page(client, demo_directory):
    # As the form sends them (empty fields too): the page is at the clean address.
    filtered = client.get("/directory?q=&category=domestic_abuse", follow_redirects=True)
    assert pages.has_exit_this_page(filtered)
    for url in ("/directory", "/directory?q=&category=money", "/directory?q=advice"):
        assert pages.exit_this_page(client.get(url, follow_redirects=True)) == "none", url


def test_a_live_directory_search_brings_exit_this_page_with_the_filter(client, demo_directory):
    """htmx swaps only the results: 'Exit this page' comes with them, out of band."""
    live = {"HX-Request": "true", "HX-Target": "results"}

    answer = pages.soup(client.get("/directory?q=&category=domestic_abuse", headers=live))
    area = answer.find(id="exit-this-page")
    assert area is not None and area.get("hx-swap-oob") == "true"
    assert not area.has_attr("hidden")
    assert area.find(attrs={"data-exit-this-page": True}) is not None

    answer = pages.soup(client.get("/directory?q=&category=money", headers=live))
    area = answer.find(id="exit-this-page")
    assert area is not None and area.get("hx-swap-oob") == "true"
    assert area.has_attr("hidden") and not area.find(True)


# Referrals and the resident's own pages ----------------------------------------------------------


def test_your_referrals_show_exit_this_page_when_one_is_to_a_domestic_abuse_service(resident):
    journeys.refer(resident, DEBT_ADVICE, ["about"])
    assert pages.exit_this_page(resident.get("/referrals")) == "none"

    path = journeys.refer(resident, HELPLINE, ["about"])
    assert pages.has_exit_this_page(resident.get("/referrals"))
    assert pages.has_exit_this_page(resident.get(path))


OWN_PAGES = ("/passport", "/passport/about", "/account", "/passport/looked-at", "/directory")


def test_every_page_shows_exit_this_page_to_a_resident_with_a_domestic_abuse_need(resident):
    journeys.add_need(resident, "money", "Behind on the rent.")
    for url in OWN_PAGES:
        assert pages.exit_this_page(resident.get(url)) == "none", url

    journeys.add_need(resident, "domestic_abuse", "He reads my messages.")
    for url in OWN_PAGES:
        assert pages.has_exit_this_page(resident.get(url)), url


# How to leave quickly ----------------------------------------------------------------------------


def test_exit_this_page_links_to_how_to_leave_quickly(client, demo_directory):
    page = client.get(f"/directory/services/{HELPLINE}")
    assert exit_area_text(page) == f"Emergency Exit this page {HELP_LINK}"
    assert (HELP_LINK, "/leave-quickly") in pages.links(page)


def test_how_to_leave_quickly_is_public_and_says_who_to_call(client):
    page = client.get("/leave-quickly")
    assert page.status_code == 200
    assert pages.heading(page) == LEAVE_QUICKLY
    text = pages.text(page)
    for words in (
        "Exit this page",
        "press the Shift key 3 times",
        "private window",
        "delete your browsing history",
        "Emails from us have plain subjects",
        "If you are in danger, call 999.",
        "National Domestic Abuse Helpline on 0808 2000 247",
    ):
        assert words in text
    assert ("999", "tel:999") in pages.links(page)
    assert ("0808 2000 247", "tel:08082000247") in pages.links(page)
    # Wales has its own helpline: the page serves both nations.
    assert ("0808 80 10 800", "tel:08088010800") in pages.links(page)
    assert pages.has_exit_this_page(page)


def test_exit_this_page_and_how_to_leave_quickly_in_welsh(client, demo_directory):
    in_welsh(client)
    page = client.get(f"/directory/services/{HELPLINE}")
    assert pages.soup(page).html["lang"] == "cy"
    emergency, exit_this_page, help_link = (
        WELSH.gettext(text) for text in ("Emergency", "Exit this page", HELP_LINK)
    )
    assert exit_this_page == "Gadael y dudalen hon"
    assert exit_area_text(page) == f"{emergency} {exit_this_page} {help_link}"

    leave = client.get("/leave-quickly")
    assert pages.heading(leave) == WELSH.gettext(LEAVE_QUICKLY)
    assert ("999", "tel:999") in pages.links(leave)
    assert ("0808 80 10 800", "tel:08088010800") in pages.links(leave)
    assert ("0808 2000 247", "tel:08082000247") in pages.links(leave)

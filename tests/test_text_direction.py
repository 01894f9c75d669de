"""Words people write keep their own direction (dir="auto"): Arabic reads right to left, with
its punctuation where the writer put it, on pages that are left to right."""

from __future__ import annotations

import pytest

from tests.support import journeys, pages
from tests.support.journeys import post_form

RESIDENT = "noor@example.net"
SERVICE = "debt-advice-drop-in"
ORG_EMAIL = "referrals@eastbridge-advice.example.org"
STORY = "أحتاج إلى مساعدة في دفع الإيجار، من فضلك!"  # I need help paying the rent, please!
NAME = "نور أحمد"
MESSAGE = "الصباح أفضل."  # Mornings are best.
REASON = "لا نخدم منطقتك."  # We do not cover your area.


def direction_around(response, text: str) -> str:
    """The dir of the nearest element around this text, which may be the page's own."""
    node = pages.soup(response).find(string=lambda string: string is not None and text in string)
    assert node is not None, f"{text!r} is not on the page"
    return next((str(parent["dir"]) for parent in node.parents if parent.has_attr("dir")), "")


@pytest.mark.parametrize("language", ["en", "cy"])
def test_arabic_keeps_its_direction_wherever_it_is_shown(
    client, org_client, mailbox, demo_directory, language
):
    journeys.sign_up(client, mailbox, RESIDENT)
    assert post_form(client, "/language", {"lang": language, "next": "/"}).status_code == 302
    journeys.add_about(client, name=NAME, phone="07700 900123")
    journeys.add_need(client, "money", STORY)

    passport = client.get("/passport")
    assert pages.soup(passport).html["lang"] == language
    assert direction_around(passport, STORY) == "auto"
    assert direction_around(passport, NAME) == "auto"
    form = journeys.open_referral_form(client, SERVICE)
    assert direction_around(form, STORY) == "auto"
    assert pages.soup(form).find("textarea", attrs={"name": "message"})["dir"] == "auto"

    path = journeys.draft_referral(client, SERVICE, ["about", "money"], MESSAGE)
    assert direction_around(client.get(f"{path}/check"), MESSAGE) == "auto"
    assert post_form(client, f"{path}/check", {}).status_code == 302
    assert direction_around(client.get(path), MESSAGE) == "auto"

    link = journeys.open_share_as_org(org_client, mailbox, ORG_EMAIL)
    shared = org_client.get(link)
    for words in (STORY, NAME, MESSAGE):
        assert direction_around(shared, words) == "auto", words

    assert post_form(org_client, f"{link}/decline", {"reason": REASON}).status_code == 302
    assert direction_around(client.get(path), REASON) == "auto"


def test_text_boxes_take_the_direction_of_what_is_typed_in_them(client, mailbox):
    journeys.sign_up(client, mailbox, RESIDENT)
    need = pages.soup(client.get("/passport/needs/new"))
    assert need.find("textarea", attrs={"name": "story"})["dir"] == "auto"
    about = pages.soup(client.get("/passport/about"))
    for name in ("name", "contact_preference"):
        assert about.find(attrs={"name": name})["dir"] == "auto", name

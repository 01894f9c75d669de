"""Input at the edges: NUL bytes, other scripts' digits, line breaks sent as CR LF."""

from __future__ import annotations

import pytest

from tests.support import journeys, pages
from tests.support.scenarios import ORG_EMAIL, resident_with_referral


@pytest.mark.parametrize(
    "path",
    ["/directory?q=debt%00advice", "/directory/services/debt%00advice", "/share/abc%00def"],
)
def test_a_nul_byte_gets_a_clear_400_page(client, demo_directory, path):
    response = client.get(path)
    assert response.status_code == 400
    assert pages.heading(response) == "Sorry, there is a problem with that request"


def test_a_nul_byte_in_a_form_gets_a_clear_400_page(client, mailbox):
    response = journeys.post_form(client, "/sign-in", {"email": "sam\x00@example.net"})
    assert response.status_code == 400
    assert mailbox.messages == []


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: "".join(chr(0xFF10 + int(d)) for d in code),  # full-width
        lambda code: "".join(chr(0x0660 + int(d)) for d in code),  # Arabic-Indic
        lambda code: f" {code[:3]} {code[3:]} ",
    ],
)
def test_a_code_typed_with_other_digits_or_spaces_works(
    app, client, mailbox, demo_directory, typed
):
    referred = resident_with_referral(client, mailbox)
    org = app.test_client()
    code = journeys.request_code(org, referred.share_link, mailbox, ORG_EMAIL)
    assert journeys.enter_code(org, referred.share_link, typed(code)).status_code == 302


def test_a_line_break_counts_as_one_character(client, mailbox):
    journeys.sign_up(client, mailbox, "sam@example.net")
    story = "x" * 4000 + "\r\n" * 999  # 4,999 characters as a person counts them
    assert journeys.add_need(client, "housing", story).status_code == 302
    too_long = "x" * 4000 + "\r\n" * 1001
    page = journeys.add_need(client, "housing", too_long)
    assert page.status_code == 200
    assert pages.error_summary(page) == ["Your words must be 5,000 characters or fewer"]

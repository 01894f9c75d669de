"""Phone numbers and e-mail addresses are links to call or write: on service pages, and on the
organisation's view of the person's contact details."""

from __future__ import annotations

import pytest

from passport import contact_links
from tests.support import journeys, pages

ORG_EMAIL = "referrals@eastbridge-advice.example.org"


@pytest.mark.parametrize(
    ("number", "href"),
    [
        ("01632 960123", "tel:01632960123"),
        (" 01632 960123 ", "tel:01632960123"),
        ("+44 7700 900-123", "tel:+447700900123"),
        ("(01632) 960.123", "tel:01632960123"),
        ("not a phone ☎", ""),
        ("01632 960123 after 6pm", ""),
        ("", ""),
        ("1", ""),
    ],
)
def test_a_phone_number_links_to_its_digits(number, href):
    assert contact_links.tel_href(number) == href


@pytest.mark.parametrize(
    ("address", "href"),
    [
        ("sam@example.net", "mailto:sam@example.net"),
        ("sam+help@example.net", "mailto:sam%2Bhelp@example.net"),
        ("sam?cc=x@example.net", "mailto:sam%3Fcc%3Dx@example.net"),
        ("sam@example.net?cc=x@evil.example", ""),
        ("not an address", ""),
        ("sam@localhost", ""),
        ('"><script>@x.example', ""),
    ],
)
def test_an_email_address_links_to_write_to_it(address, href):
    assert contact_links.mailto_href(address) == href


def test_text_that_is_not_a_number_stays_text_and_is_escaped():
    assert str(contact_links.phone_link("<b>call</b>")) == "&lt;b&gt;call&lt;/b&gt;"
    assert str(contact_links.phone_link("01632 960123")) == (
        '<a class="govuk-link" href="tel:01632960123">01632 960123</a>'
    )


def test_the_phone_number_on_a_service_page_is_a_link_to_call_it(client, demo_directory):
    page = client.get("/directory/services/debt-advice-drop-in")
    assert ("01632 960123", "tel:01632960123") in pages.links(page)


def test_the_organisation_can_call_or_write_to_the_person(
    client, org_client, mailbox, demo_directory
):
    journeys.sign_up(client, mailbox, "sam@example.net")
    journeys.add_about(
        client, name="Sam Taylor", phone="07700 900123", email="sam.taylor@example.net"
    )
    journeys.refer(client, "debt-advice-drop-in", ["about"])
    link = journeys.open_share_as_org(org_client, mailbox, ORG_EMAIL)
    page = org_client.get(link)
    assert page.status_code == 200
    links = pages.links(page)
    assert ("07700 900123", "tel:07700900123") in links
    assert ("sam.taylor@example.net", "mailto:sam.taylor@example.net") in links
    assert not any(text == "Sam Taylor" for text, _ in links)

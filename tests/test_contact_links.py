"""Phone numbers and e-mail addresses are links to call or write: on service pages, and on the
organisation's view of the person's contact details."""

from __future__ import annotations

from tests.support import journeys, pages

ORG_EMAIL = "referrals@eastbridge-advice.example.org"


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

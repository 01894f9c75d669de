"""The whole journey through the web pages, as someone without JavaScript would take it."""

from tests.support import journeys, pages


def test_resident_refers_themself_and_organisation_declines(
    client, org_client, mailbox, demo_directory
):
    journeys.sign_up(client, mailbox, "sam@example.net")
    added = journeys.add_need(client, "housing", "My landlord has given me notice to leave.")
    assert added.status_code == 302
    journeys.add_need(client, "money", "I am behind on council tax.")
    passport = client.get("/passport")
    assert "My landlord has given me notice to leave." in pages.text(passport)

    results = client.get("/directory?q=debt&category=money")
    assert results.status_code == 200

    path = journeys.refer(client, "debt-advice-drop-in", ["about", "money"], "Mornings are best.")
    detail = client.get(path)
    assert "Sent" in pages.text(detail)

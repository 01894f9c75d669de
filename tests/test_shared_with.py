"""The resident's "Shared with" page: every share, in force and ended; changing what one shows
or for how long, or stopping it, each working at the organisation's very next request; and a
consent receipt, sealed, for the making and every change of a share."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask

from passport.database import db
from tests.support import journeys, pages, scenarios
from tests.support.journeys import post_form

RESIDENT = "nia@example.net"
SERVICE = "debt-advice-drop-in"
OTHER_SERVICE = "housing-rights-advice"
ORGANISATION = "Eastbridge Advice Centre"
ORG_EMAIL = "referrals@eastbridge-advice.example.org"
MONEY_STORY = "I owe £900 on my water bill and cannot pay it."
HOUSING_STORY = "The boiler has been broken since October."
SHARED_WITH = "/passport/shares"
CHANGED = "This share has changed since you opened this page. Check it and try again."
NO_SECTIONS = (
    "Select at least one part of your passport to share. To share nothing, stop sharing instead."
)
RECEIPT = re.compile(r"/passport/shares/receipts/([0-9a-f-]{36})")


@dataclass
class Shared:
    path: str  # the resident's referral page
    link: str  # the organisation's share link
    grant_id: str


@pytest.fixture(autouse=True)
def clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def resident(client, mailbox, demo_directory):
    journeys.sign_up(client, mailbox, RESIDENT)
    journeys.add_about(client, name="Nia Jones", phone="07700 900789")
    journeys.add_need(client, "money", MONEY_STORY)
    journeys.add_need(client, "housing", HOUSING_STORY)
    return client


@pytest.fixture
def shared(resident, mailbox) -> Shared:
    path = journeys.refer(resident, SERVICE, ["about", "housing", "money"], "", "30")
    link = journeys.share_link(mailbox, ORG_EMAIL)
    (grant_id,) = scenarios.ids_in(resident.get("/passport"), "/passport/shares/{id}/stop")
    return Shared(path=path, link=link, grant_id=grant_id)


@pytest.fixture
def opened(shared, org_client, mailbox) -> Shared:
    """The organisation has entered its code and has the referral open."""
    code = journeys.request_code(org_client, shared.link, mailbox, ORG_EMAIL)
    assert journeys.enter_code(org_client, shared.link, code).status_code == 302
    assert org_client.get(shared.link).status_code == 200
    return shared


@pytest.fixture
def controller(app: Flask) -> Iterator[None]:
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = dataclasses.replace(
        settings,
        controller_name="Eastbridge Together Partnership",
        controller_contact="privacy@eastbridge-together.example.org",
    )
    yield
    app.config["SETTINGS"] = settings


def cards(response) -> dict[str, list[str]]:
    """Each share's card on the page, by where it is (shared now, shared before)."""
    found: dict[str, list[str]] = {}
    for place in ("shared-now", "shared-before"):
        box = pages.soup(response).find(id=place)
        found[place] = (
            [" ".join(card.get_text().split()) for card in box.select(".govuk-summary-card")]
            if box
            else []
        )
    return found


def receipts_on(response) -> list[str]:
    return [
        m.group(1)
        for a in pages.soup(response).find_all("a", href=True)
        if (m := RECEIPT.fullmatch(str(a["href"])))
    ]


def section_headings(response) -> list[str]:
    return [
        " ".join(h2.get_text().split())
        for h2 in pages.soup(response).select("main h2[id^=section-]")
    ]


def record(client, receipt_id: str) -> dict:
    response = client.get(f"/passport/shares/receipts/{receipt_id}/record.json")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


# The page ---------------------------------------------------------------------------------------


def test_the_passport_page_links_to_it(shared, resident):
    links = dict(pages.links(resident.get("/passport")))
    assert links["Change what you share, see what you shared before, and get receipts"] == (
        SHARED_WITH
    )


def test_it_lists_every_share_in_force_and_ended(shared, resident, mailbox, clock):
    clock.advance(minutes=5)
    journeys.refer(resident, OTHER_SERVICE, ["about", "housing"], "", "90")
    stopped = post_form(resident, f"/passport/shares/{shared.grant_id}/stop", {})
    assert stopped.status_code == 302

    page = resident.get(SHARED_WITH)
    assert page.status_code == 200
    assert pages.heading(page) == "Who you have shared your passport with"
    found = cards(page)
    (now,) = found["shared-now"]
    assert now.startswith(ORGANISATION)
    assert "What they can see About you, Housing Change" in now
    assert "Why Your referral to Housing rights advice" in now
    assert "Shared by You, on 3 March 2026" in now
    assert "Until 1 June 2026" in now
    (before,) = found["shared-before"]
    assert "What they could see About you, Housing, Money and debt" in before
    assert "Why Your referral to Debt advice drop-in" in before
    assert "Ended Stopped on 3 March 2026" in before
    assert "Change" not in before
    links = dict(pages.links(page))
    assert links["Debt advice drop-in"] == shared.path
    assert (
        any(href == f"/passport/shares/{shared.grant_id}/stop" for _, href in pages.links(page))
        is False
    ), "an ended share cannot be stopped again"
    assert len(receipts_on(page)) == 3  # made twice, stopped once


def test_nothing_shared_says_so(resident):
    page = resident.get(SHARED_WITH)
    assert "No organisation can see your passport." in pages.text(page)
    assert cards(page) == {"shared-now": [], "shared-before": []}


# Changing what they see, at the organisation's next request -----------------------------------


def test_narrowing_the_sections_works_at_the_organisations_next_request(
    opened, resident, org_client
):
    assert section_headings(org_client.get(opened.link)) == [
        "About the person",
        "Housing",
        "Money and debt",
    ]
    page = f"/passport/shares/{opened.grant_id}/sections"
    form = resident.get(page)
    assert pages.heading(form) == f"Change what {ORGANISATION} can see"
    assert pages.checked_values(form, "sections") == ["about", "housing", "money"]

    changed = post_form(resident, page, {"sections": ["about"], "version": "1"})
    assert changed.status_code == 302
    assert changed.headers["Location"] == SHARED_WITH
    listed = resident.get(SHARED_WITH)
    assert pages.flash_messages(listed) == [f"{ORGANISATION} can now see only the parts you chose."]
    assert "What they can see About you Change" in cards(listed)["shared-now"][0]

    # The page the organisation already had open: its next look shows only 'About you'.
    seen = org_client.get(opened.link)
    assert seen.status_code == 200
    assert section_headings(seen) == ["About the person"]
    assert MONEY_STORY not in pages.text(seen)
    assert HOUSING_STORY not in pages.text(seen)


def test_stopping_while_the_organisations_page_is_open(opened, resident, org_client):
    open_page = org_client.get(opened.link)
    token = pages.csrf_token(open_page)
    stop = dict(pages.links(resident.get(SHARED_WITH)))[f"Stop sharing with {ORGANISATION}"]
    assert post_form(resident, stop, {}).status_code == 302

    looked = org_client.get(opened.link)
    assert looked.status_code == 410
    assert pages.heading(looked) == "This link has been withdrawn"
    assert MONEY_STORY not in pages.text(looked)
    # The form it had open is refused with a clear page too.
    accepted = org_client.post(f"{opened.link}/accept", data={"csrf_token": token})
    assert accepted.status_code == 410
    assert pages.heading(accepted) == "This link has been withdrawn"
    assert "Opened" in pages.text(resident.get(opened.path))

    (ended,) = cards(resident.get(SHARED_WITH))["shared-before"]
    assert "Ended Stopped on 3 March 2026" in ended


def test_extending_keeps_the_organisation_reading_past_the_old_date(
    opened, resident, org_client, clock
):
    clock.advance(days=20)
    page = f"/passport/shares/{opened.grant_id}/period"
    form = resident.get(page)
    assert pages.heading(form) == f"Change how long {ORGANISATION} can see your passport"
    assert "They can see it until 2 April 2026." in pages.text(form)
    changed = post_form(resident, page, {"share_days": "180", "version": "1"})
    assert changed.status_code == 302
    assert pages.flash_messages(resident.get(SHARED_WITH)) == [
        f"{ORGANISATION} can now see your passport until 19 September 2026."
    ]
    clock.advance(days=30)  # past the 30 days first agreed: the link still works
    later = org_client.get(opened.link)
    assert later.status_code == 200
    assert pages.heading(later) == "We need to check it is you"  # a new visit, a new code
    assert "Until 19 September 2026" in cards(resident.get(SHARED_WITH))["shared-now"][0]


def test_a_share_that_ran_out_gets_one_receipt_when_seen(shared, resident, clock, app):
    clock.advance(days=31)
    first = resident.get(SHARED_WITH)
    (ended,) = cards(first)["shared-before"]
    assert "Ended Ran out on 2 April 2026" in ended
    resident.get(SHARED_WITH)
    resident.get("/passport")
    receipts = receipts_on(resident.get(SHARED_WITH))
    assert len(receipts) == 2
    assert record(resident, receipts[-1])["event"][0]["state"] == "expired"
    # No change to a share that has ended.
    token = pages.csrf_token(resident.get("/passport/needs/new"))
    changed = resident.post(
        f"/passport/shares/{shared.grant_id}/sections",
        data={"csrf_token": token, "sections": ["about"], "version": "2"},
    )
    assert changed.status_code == 302
    assert pages.flash_messages(resident.get(changed.headers["Location"])) == [
        f"Sharing with {ORGANISATION} has ended, so it cannot be changed."
    ]


# Receipts ---------------------------------------------------------------------------------------


def test_every_change_makes_a_receipt(opened, resident):
    base = f"/passport/shares/{opened.grant_id}"
    assert (
        post_form(
            resident, f"{base}/sections", {"sections": ["about", "money"], "version": "1"}
        ).status_code
        == 302
    )
    assert (
        post_form(resident, f"{base}/period", {"share_days": "90", "version": "2"}).status_code
        == 302
    )
    assert post_form(resident, f"{base}/stop", {}).status_code == 302
    receipts = receipts_on(resident.get(SHARED_WITH))
    states = [record(resident, r)["event"][0] for r in receipts]
    assert [(e["change"], e["state"]) for e in states] == [
        ("made", "given"),
        ("sections", "changed"),
        ("period", "changed"),
        ("withdrawn", "withdrawn"),
    ]
    sections = [
        [p["pii_type"] for p in record(resident, r)["purposes"][0]["pii_information"]]
        for r in receipts
    ]
    assert sections == [
        ["about", "housing", "money"],
        ["about", "money"],
        ["about", "money"],
        ["about", "money"],
    ]
    assert [record(resident, r)["record_version"] for r in receipts] == [1, 2, 3, 4]


def test_a_receipt_in_plain_words(shared, resident, controller):
    (receipt_id,) = receipts_on(resident.get(SHARED_WITH))
    page = resident.get(f"/passport/shares/receipts/{receipt_id}")
    assert page.status_code == 200
    assert pages.heading(page) == "Consent receipt"
    text = pages.text(page)
    assert (
        f"On 3 March 2026 at 10:14 you agreed to share parts of your passport with {ORGANISATION}."
        in text
    )
    assert "Parts of your passport About you, Housing, Money and debt" in text
    assert "Why To refer you to Debt advice drop-in" in text
    assert "Until 2 April 2026" in text
    # The partnership's name as configured now: a receipt made before it was set keeps the
    # name it was made with.
    assert f"Receipt number {receipt_id}" in text
    assert dict(pages.links(page))["Download this receipt as a file (JSON)"] == (
        f"/passport/shares/receipts/{receipt_id}/record.json"
    )


def test_the_record_follows_the_27560_fields(opened, resident, controller, app):
    post_form(
        resident,
        f"/passport/shares/{opened.grant_id}/sections",
        {"sections": ["about", "money"], "version": "1"},
    )
    made, changed = receipts_on(resident.get(SHARED_WITH))
    response = resident.get(f"/passport/shares/receipts/{changed}/record.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="consent-receipt-{changed}.json"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    body = response.get_data(as_text=True)
    assert RESIDENT not in body and "Nia" not in body
    data = json.loads(body)

    assert data["schema_version"] == "ISO/IEC TS 27560:2023"
    assert data["record_id"] == opened.grant_id
    assert data["receipt_id"] == changed
    assert data["record_version"] == 2
    assert data["created"] == "2026-03-03T10:14:00+00:00"
    assert data["updated"] == "2026-03-03T10:14:00+00:00"
    assert data["language"] == "en"
    assert data["jurisdiction"] == "GB"
    subject = data["pii_principal_id"]
    assert subject.startswith("urn:needs-passport:subject:")
    assert subject == record(resident, made)["pii_principal_id"], "one id for one resident"
    (controller_,) = data["pii_controllers"]
    assert controller_["party_name"] == "Eastbridge Together Partnership"
    assert controller_["party_contact"] == "privacy@eastbridge-together.example.org"
    assert controller_["party_role"] == "PII Controller"
    (recipient,) = data["recipients"]
    assert recipient["party_name"] == ORGANISATION
    (purpose,) = data["purposes"]
    assert purpose["purpose"] == "To refer you to Debt advice drop-in"
    assert purpose["service"] == "Debt advice drop-in"
    assert f"/referrals/{purpose['referral_id']}" == opened.path
    assert purpose["lawful_basis"] == "consent"
    assert purpose["pii_information"] == [
        {"pii_type": "about", "pii_name": "About you"},
        {"pii_type": "money", "pii_name": "Money and debt"},
    ]
    assert purpose["recipient_third_parties"] == [recipient["party_id"]]
    assert purpose["pii_controllers"] == [controller_["party_id"]]
    assert purpose["valid_until"] == "2026-04-02T10:14:00+00:00"
    assert purpose["withdrawal_method"] == "http://localhost/passport/shares"
    (event,) = data["event"]
    assert event["event_time"] == "2026-03-03T10:14:00+00:00"
    assert event["expiry"] == "2026-04-02T10:14:00+00:00"
    assert event["validity_duration_seconds"] == 30 * 24 * 3600
    assert event["state"] == "changed"
    assert event["entity_id"] == subject
    assert event["type"] == "explicit"


def test_a_decline_ends_the_share_with_a_receipt(opened, resident, org_client):
    declined = post_form(org_client, f"{opened.link}/decline", {"reason": "We are full."})
    assert declined.status_code == 302
    receipts = receipts_on(resident.get(SHARED_WITH))
    assert len(receipts) == 2
    event = record(resident, receipts[-1])["event"][0]
    assert (event["change"], event["state"], event["by"]) == ("revoked", "revoked", "organisation")
    assert event["entity_id"] == "organisation"
    page = resident.get(f"/passport/shares/receipts/{receipts[-1]}")
    assert f"sharing with {ORGANISATION} ended with their answer to your referral" in pages.text(
        page
    )


# Bad input: a clear error, nothing lost ----------------------------------------------------------


def test_no_sections_chosen_is_an_error_and_changes_nothing(opened, resident, org_client):
    page = f"/passport/shares/{opened.grant_id}/sections"
    refused = post_form(resident, page, {"version": "1"})
    assert refused.status_code == 200
    assert pages.error_summary(refused) == [NO_SECTIONS]
    assert pages.title(refused).startswith("Error: ")
    assert section_headings(org_client.get(opened.link)) == [
        "About the person",
        "Housing",
        "Money and debt",
    ]
    assert len(receipts_on(resident.get(SHARED_WITH))) == 1


def test_no_period_chosen_is_an_error(opened, resident):
    refused = post_form(
        resident, f"/passport/shares/{opened.grant_id}/period", {"share_days": "7", "version": "1"}
    )
    assert refused.status_code == 200
    assert pages.error_summary(refused) == ["Select how long they can see your passport"]


def test_a_page_kept_open_after_another_change_is_refused_keeping_the_choice(opened, resident):
    page = f"/passport/shares/{opened.grant_id}/sections"
    kept = resident.get(page)
    assert (
        post_form(resident, page, {"sections": ["about", "money"], "version": "1"}).status_code
        == 302
    )
    # The first page, still open in another tab, sent with its own (older) version.
    stale = resident.post(
        page,
        data={**pages.hidden_fields(kept), "sections": ["housing"]},
    )
    assert stale.status_code == 409
    assert pages.error_summary(stale) == [CHANGED]
    assert pages.checked_values(stale, "sections") == ["housing"], "the choice is kept"
    assert pages.field_value(stale, "version") == "2"
    # Sent again from the error page, it works.
    again = resident.post(page, data={**pages.hidden_fields(stale), "sections": ["housing"]})
    assert again.status_code == 302
    assert len(receipts_on(resident.get(SHARED_WITH))) == 3


def test_a_tampered_version_is_refused(opened, resident):
    page = f"/passport/shares/{opened.grant_id}/sections"
    for version in ("99", "x", ""):
        refused = post_form(resident, page, {"sections": ["about"], "version": version})
        assert refused.status_code == 409, version
        assert pages.error_summary(refused) == [CHANGED]
    assert len(receipts_on(resident.get(SHARED_WITH))) == 1


def test_a_double_submit_changes_once(opened, resident):
    page = f"/passport/shares/{opened.grant_id}/period"
    form = {**pages.hidden_fields(resident.get(page)), "share_days": "180"}
    first = resident.post(page, data=form)
    second = resident.post(page, data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == SHARED_WITH
    assert len(receipts_on(resident.get(SHARED_WITH))) == 2


def test_a_tampered_grant_or_receipt_id_is_not_found(shared, resident):
    unknown = "00000000-0000-4000-8000-000000000000"
    for path in (
        f"/passport/shares/{unknown}/sections",
        f"/passport/shares/{unknown}/period",
        f"/passport/shares/receipts/{unknown}",
        f"/passport/shares/receipts/{unknown}/record.json",
    ):
        response = resident.get(path)
        assert response.status_code == 404, path
        assert pages.heading(response) == "Page not found"
    assert resident.get("/passport/shares/not-a-uuid/sections").status_code == 404


def test_another_resident_gets_not_found(shared, resident, app, mailbox):
    (receipt_id,) = receipts_on(resident.get(SHARED_WITH))
    other = app.test_client()
    journeys.sign_up(other, mailbox, f"other-{scenarios.marker()}@example.net")
    token = pages.csrf_token(other.get(SHARED_WITH))
    for path in (
        f"/passport/shares/{shared.grant_id}/sections",
        f"/passport/shares/{shared.grant_id}/period",
        f"/passport/shares/receipts/{receipt_id}",
        f"/passport/shares/receipts/{receipt_id}/record.json",
    ):
        assert other.get(path).status_code == 404, path
    for path, data in (
        (f"/passport/shares/{shared.grant_id}/sections", {"sections": ["about"], "version": "1"}),
        (f"/passport/shares/{shared.grant_id}/period", {"share_days": "180", "version": "1"}),
    ):
        assert other.post(path, data={"csrf_token": token, **data}).status_code == 404, path
    assert cards(other.get(SHARED_WITH))["shared-now"] == []
    assert len(receipts_on(resident.get(SHARED_WITH))) == 1


def test_a_change_without_its_csrf_token_is_refused(opened, resident):
    refused = resident.post(
        f"/passport/shares/{opened.grant_id}/sections", data={"sections": ["about"], "version": "1"}
    )
    assert refused.status_code == 400
    assert len(receipts_on(resident.get(SHARED_WITH))) == 1


def test_pages_are_personal_and_need_signing_in(shared, resident, app):
    (receipt_id,) = receipts_on(resident.get(SHARED_WITH))
    paths = (
        SHARED_WITH,
        f"/passport/shares/{shared.grant_id}/sections",
        f"/passport/shares/{shared.grant_id}/period",
        f"/passport/shares/receipts/{receipt_id}",
        f"/passport/shares/receipts/{receipt_id}/record.json",
    )
    for path in paths:
        response = resident.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"], path
    anonymous = app.test_client()
    for path in paths:
        assert anonymous.get(path).status_code == 302, path


# Sealed at rest ---------------------------------------------------------------------------------


def test_receipts_are_sealed(opened, resident, app):
    post_form(
        resident,
        f"/passport/shares/{opened.grant_id}/sections",
        {"sections": ["about"], "version": "1"},
    )
    with app.app_context():
        rows = db.session.execute(sa.text("SELECT * FROM consent_receipts")).all()
        grants = db.session.execute(sa.text("SELECT purpose_sealed FROM share_grants")).all()
    assert len(rows) == 2
    for row in [*rows, *grants]:
        raw = b"".join(
            bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row
        )
        for secret in (b"Eastbridge", b"Debt advice", b"about", b"money", b"pii", b"Nia"):
            assert secret not in raw, secret


# The same journey as the browser test, through the page objects ---------------------------------


def test_the_journey_through_the_page_objects(opened, resident, org_client, mailbox):
    from tests.support.pages.base import Person
    from tests.support.pages.sharing import LinkWithdrawnPage, SharedWithPage

    person = Person(resident, mailbox)
    shares = SharedWithPage.open(person)
    (card,) = shares.shared_now()
    assert card.startswith(ORGANISATION)
    assert shares.receipts() == [f"Shared with {ORGANISATION}"]
    change = shares.change_what_they_see(ORGANISATION)
    change.choose_sections(["About you", "Money and debt"])
    shares = change.save()
    assert shares.success_banner().endswith(f"{ORGANISATION} can now see only the parts you chose.")
    assert section_headings(org_client.get(opened.link)) == ["About the person", "Money and debt"]
    receipt = shares.open_receipt(1)
    assert receipt.what_happened().endswith(f"you changed what {ORGANISATION} can see.")
    passport = SharedWithPage.open(person).stop_sharing(ORGANISATION).yes_stop_sharing()
    assert passport.success_banner().endswith(f"{ORGANISATION} can no longer see your passport.")
    organisation = Person(org_client, mailbox)
    organisation.goto(opened.link)
    LinkWithdrawnPage(organisation)
    assert SharedWithPage.open(person).shared_now() == []


# At the same moment: one compare-and-set decides ------------------------------------------------

THREADS = 8


def at_once(count: int, request) -> list[int]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(request, range(count)))


def receipt_count(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(sa.text("SELECT COUNT(*) FROM consent_receipts")).scalar_one()


def test_changes_sent_at_once_from_one_page_make_one_change(opened, resident, app):
    from itertools import combinations

    page = f"/passport/shares/{opened.grant_id}/sections"
    hidden = pages.hidden_fields(resident.get(page))
    parts = ["about", "housing", "money"]
    # Each a different answer: not one form sent twice (that lands where the first went),
    # but several changes made from one page's version of the share.
    answers = [list(c) for size in (1, 2, 3) for c in combinations(parts, size)]

    def change(number: int) -> int:
        return resident.post(page, data={**hidden, "sections": answers[number]}).status_code

    assert sorted(at_once(len(answers), change)) == [302] + [409] * (len(answers) - 1)
    assert receipt_count(app) == 2


def test_a_run_out_share_seen_by_many_requests_at_once_gets_one_receipt(
    shared, resident, app, clock
):
    clock.advance(days=31)

    def look(_: int) -> int:
        return resident.get(SHARED_WITH).status_code

    assert set(at_once(THREADS, look)) == {200}
    assert receipt_count(app) == 2


def test_in_welsh_the_directory_names_are_marked_english(shared, resident):
    page = resident.get("/passport")
    resident.post("/language", data={"csrf_token": pages.csrf_token(page), "lang": "cy"})
    shares = resident.get(SHARED_WITH)
    assert shares.status_code == 200
    card = pages.soup(shares).select_one("#shared-now .govuk-summary-card")
    title = card.select_one(".govuk-summary-card__title")
    assert (title.get_text(), title.get("lang")) == (ORGANISATION, "en")
    service = card.select_one(f'a[href="{shared.path}"]')
    assert (service.get_text(), service.get("lang")) == ("Debt advice drop-in", "en")
    (receipt_id,) = receipts_on(shares)
    receipt = resident.get(f"/passport/shares/receipts/{receipt_id}")
    assert receipt.status_code == 200
    marked = pages.soup(receipt).select("main [lang=en]")
    assert {tag.get_text() for tag in marked} >= {ORGANISATION, "Debt advice drop-in"}
    assert record(resident, receipt_id)["language"] == "cy"

"""Organisations keep their listings current (issue 10, ADR 0028): capacity applies at once,
"Still correct" marks a listing checked, and new words wait for a directory admin, who sees
them field by field, approves (the listing and the search index change) or rejects them with
a reason the organisation reads. An approval made against a listing that has changed since
is shown as a conflict, never applied unseen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from passport.database import db
from passport.directory import hsds, importer
from passport.directory.models import OpeningTime, Service
from passport.extensions import limiter
from passport.listings.models import ListingChange, ListingEvent
from tests.support import journeys, pages, scenarios, staff
from tests.support.mailbox import Mailbox

ORG = "eastbridge-advice-centre"
OTHER_ORG = "eastbridge-community-food-bank"
SERVICE = "debt-advice-drop-in"
OTHER_ORGS_SERVICE = "emergency-food-parcels"
SERVICES = f"/staff/{ORG}/services"
EDIT = f"{SERVICES}/{SERVICE}/edit"
PROPOSED = f"{SERVICES}/{SERVICE}/proposed"
CAPACITY = f"{SERVICES}/{SERVICE}/capacity"
CHECKED = f"{SERVICES}/{SERVICE}/checked"
PUBLIC = f"/directory/services/{SERVICE}"
REFERRALS_TO = "referrals@eastbridge-advice.example.org"


@pytest.fixture
def admin(app: Flask, org_client: FlaskClient, mailbox: Mailbox, demo_directory) -> FlaskClient:
    staff.join(app, org_client, mailbox, f"admin-{scenarios.marker()}@example.org", "admin", ORG)
    return org_client


@pytest.fixture
def director(app: Flask, mailbox: Mailbox, demo_directory) -> FlaskClient:
    browser = app.test_client()
    staff.join(app, browser, mailbox, f"dir-{scenarios.marker()}@example.org", "directory-admin")
    return browser


def _value(response, name: str) -> str:
    """A field's value in the page's form (the page's <meta name="description"> aside)."""
    field = pages.soup(response).find("main").find(["input", "textarea"], attrs={"name": name})
    assert field is not None, name
    if field.name == "textarea":
        return field.get_text().removeprefix("\n")
    return str(field.get("value", ""))


def _listing(admin: FlaskClient, **changes: str) -> dict[str, str]:
    """The edit form as shown, with `changes` typed over it."""
    page = admin.get(EDIT)
    fields = ("description", "eligibility", "opening_hours", "referral_email")
    return {**{name: _value(page, name) for name in fields}, **changes}


def _propose(admin: FlaskClient, **changes: str):
    return journeys.post_form(admin, EDIT, _listing(admin, **changes))


def _review_link(director: FlaskClient) -> str:
    page = director.get("/staff/directory")
    links = [href for _text, href in pages.links(page) if "/staff/directory/changes/" in href]
    assert len(links) == 1, links
    return links[0]


def _approve(director: FlaskClient, review: str, seen: str | None = None):
    page = director.get(review)
    fields = pages.hidden_fields(page, f"{review}/approve")
    if seen is not None:
        fields["seen"] = seen
    return director.post(f"{review}/approve", data=fields)


def _columns(response, field: str) -> list[str]:
    """A row of the changes table as a sighted reader sees it (no hidden words)."""
    row = pages.soup(response).find("tr", id=f"change-{field}")
    assert row is not None, field
    for hidden in row.select(".govuk-visually-hidden"):
        hidden.decompose()
    return [" ".join(cell.get_text().split()) for cell in row.find_all("td")]


def _search(client: FlaskClient, words: str) -> str:
    return pages.text(client.get(f"/directory?q={words}"))


def test_an_edit_waits_for_approval_then_applies_and_is_found(app, client, admin, director):
    services = admin.get(SERVICES)
    assert pages.heading(services) == "Your services"
    assert "Debt advice drop-in" in pages.text(services)
    assert "Emergency food parcels" not in pages.text(services)  # another organisation's
    # Its weekly times are shown by day; the form says its words would replace them.
    assert "Opening hours" in pages.text(client.get(PUBLIC))
    assert "they replace the times by day" in pages.text(admin.get(EDIT))
    word = "Quokkaworthy"
    description = f"Free, confidential help with debts. {word} advisers, no judgement."
    sent = _propose(admin, description=description, opening_hours="Mondays, 9am to noon")
    assert sent.status_code == 302
    assert journeys.path_of(sent.headers["Location"]) == PROPOSED
    proposed = admin.get(PROPOSED)
    assert pages.heading(proposed) == "Waiting for approval"
    assert _columns(proposed, "description")[1] == description
    # Nothing is applied yet: the page and search say what they said.
    assert description not in pages.text(client.get(PUBLIC))
    assert "Debt advice drop-in" not in _search(client, word)
    assert "Waiting for approval" in pages.text(admin.get(SERVICES))

    review = _review_link(director)
    page = director.get(review)
    assert pages.heading(page) == "Changes to Debt advice drop-in"
    table = pages.soup(page).find("table", id="changes")
    headings = [" ".join(th.get_text().split()) for th in table.select("thead th")]
    assert headings == ["Detail", "Listed now", "Proposed"]
    rows = {row["id"] for row in table.select("tbody tr")}
    assert rows == {"change-description", "change-opening_hours"}  # only what changes
    added = [" ".join(ins.get_text().split()) for ins in table.find_all("ins")]
    assert any(word in text and text.startswith("added:") for text in added)
    assert table.find_all("del")  # the words taken out, marked too
    assert "warning" not in str(pages.soup(page).find(id="conflict"))

    approved = _approve(director, review)
    assert approved.status_code == 302
    shown = pages.text(client.get(PUBLIC))
    assert description in shown
    assert "Mondays, 9am to noon" in shown
    assert "Checked by the organisation on" in shown
    assert "Debt advice drop-in" in _search(client, word)  # the index was refreshed
    after = pages.text(admin.get(SERVICES))
    assert "Changes approved" in after
    assert "Waiting for approval" not in after
    assert "No listing changes are waiting for approval." in pages.text(
        director.get("/staff/directory")
    )
    with app.app_context():
        change = db.session.scalars(select(ListingChange)).one()
        assert change.status == "approved" and change.decided_by is not None
        service = db.session.scalars(select(Service).where(Service.slug == SERVICE)).one()
        assert service.document["description"] == description
        assert service.document["schedules"][0]["description"] == "Mondays, 9am to noon"
        assert service.listing_version == 2
        # Weekly times that would contradict the new words are gone ("open now" with them).
        assert (
            db.session.scalars(
                select(OpeningTime).where(OpeningTime.service_id == service.id)
            ).all()
            == []
        )
        db.session.remove()


def test_a_rejected_change_tells_the_organisation_why(app, client, admin, director):
    description = f"Words the admin will not accept {scenarios.marker()}"
    assert _propose(admin, description=description).status_code == 302
    review = _review_link(director)
    token = pages.csrf_token(director.get(review))
    no_reason = director.post(f"{review}/reject", data={"csrf_token": token, "reason": " "})
    assert no_reason.status_code == 400
    assert pages.error_summary(no_reason) == ["Enter why you are not approving the change"]
    assert pages.title(no_reason).startswith("Error:")
    reason = "Please say which days the drop-in runs."
    approve_fields = pages.hidden_fields(director.get(review), f"{review}/approve")
    refused = director.post(f"{review}/reject", data={"csrf_token": token, "reason": reason})
    assert refused.status_code == 302
    # Approving after all (a second tab): decided already, and nothing more happens.
    again = director.post(f"{review}/approve", data=approve_fields)
    assert again.status_code == 302
    assert "That change has already been decided." in pages.text(director.get("/staff/directory"))
    assert "This change was not approved." in pages.text(director.get(review))
    page = pages.text(admin.get(SERVICES))
    assert "Changes not approved" in page
    assert reason in page
    assert description not in pages.text(client.get(PUBLIC))


def test_amend_replaces_the_pending_change_and_withdraw_ends_it(app, admin, director):
    assert _propose(admin, description="First try at new words").status_code == 302
    form = admin.get(EDIT)
    assert _value(form, "description") == "First try at new words"  # pre-filled
    assert "waiting for approval" in pages.text(form)
    assert _propose(admin, description="Second try at new words").status_code == 302
    with app.app_context():
        pending = db.session.scalars(select(ListingChange)).all()
        assert [(c.status, c.new["description"]) for c in pending] == [
            ("pending", "Second try at new words")
        ]
        db.session.remove()
    token = pages.csrf_token(admin.get(PROPOSED))
    withdrawn = admin.post(f"{SERVICES}/{SERVICE}/withdraw", data={"csrf_token": token})
    assert withdrawn.status_code == 302
    assert "You have withdrawn your changes" in pages.text(admin.get(SERVICES))
    assert admin.get(PROPOSED).status_code == 302  # nothing waiting: back to the list
    with app.app_context():
        change = db.session.scalars(select(ListingChange)).one()
        assert change.status == "withdrawn" and change.decided_by is not None
        db.session.remove()
    assert "No listing changes are waiting" in pages.text(director.get("/staff/directory"))


def test_capacity_applies_at_once_with_an_audit_row(app, client, admin):
    form = admin.get(CAPACITY)
    assert pages.checked_values(form, "capacity") == ["accepting"]
    not_a_number = journeys.post_form(
        admin, CAPACITY, {"capacity": "waiting_list", "wait_weeks": "six"}
    )
    assert not_a_number.status_code == 400
    assert pages.error_summary(not_a_number) == [
        "Enter the wait as a whole number of weeks, like 6"
    ]
    assert pages.field_value(not_a_number, "wait_weeks") == "six"
    changed = journeys.post_form(admin, CAPACITY, {"capacity": "waiting_list", "wait_weeks": "6"})
    assert changed.status_code == 302
    assert "Waiting list, about 6 weeks" in pages.text(client.get(PUBLIC))
    assert "Waiting list, about 6 weeks" in _search(client, "debt")  # results show it
    with app.app_context():
        event = db.session.scalars(select(ListingEvent)).one()
        assert event.kind == "capacity" and event.account_id is not None
        assert event.detail == {
            "from": {"capacity": "accepting", "wait_weeks": None},
            "to": {"capacity": "waiting_list", "wait_weeks": 6},
        }
        service = db.session.scalars(select(Service).where(Service.slug == SERVICE)).one()
        # The HSDS document says the same, so the API, an export and a re-import agree.
        assert hsds.project_service(service.document).columns["capacity"] == "waiting_list"
        assert hsds.project_service(service.document).columns["wait_weeks"] == 6
        db.session.remove()
    closed = journeys.post_form(admin, CAPACITY, {"capacity": "not_accepting"})
    assert closed.status_code == 302
    page = pages.text(client.get(PUBLIC))
    assert "Not accepting referrals now" in page
    assert "not accepting referrals at the moment" in page


def test_still_correct_marks_the_listing_checked(app, client, admin, frozen_clock):
    frozen_clock.now = frozen_clock.now.replace(year=2027)
    before = pages.text(admin.get(SERVICES))
    token = pages.csrf_token(admin.get(SERVICES))
    assert admin.post(CHECKED, data={"csrf_token": token}).status_code == 302
    listed = pages.text(admin.get(SERVICES))
    assert "is marked as checked on 3 March 2027" in listed
    assert "Checked by admin-" in listed and "on 3 March 2027" in listed
    assert "Checked by the organisation on 3 March 2027" in pages.text(client.get(PUBLIC))
    assert before != listed
    frozen_clock.advance(days=200)
    stale = pages.soup(admin.get(SERVICES)).find(id=f"stale-{SERVICE}")
    assert stale is not None
    assert "This was over 6 months ago" in " ".join(stale.get_text().split())
    with app.app_context():
        event = db.session.scalars(select(ListingEvent)).one()
        assert event.kind == "checked" and event.account_id is not None
        db.session.remove()


def test_other_organisations_and_other_roles_get_not_found(app, admin, mailbox):
    # An admin of this organisation, asking for another organisation's service.
    for path in ("edit", "capacity", "proposed"):
        assert admin.get(f"{SERVICES}/{OTHER_ORGS_SERVICE}/{path}").status_code == 404
    token = pages.csrf_token(admin.get(SERVICES))
    other = admin.post(f"{SERVICES}/{OTHER_ORGS_SERVICE}/checked", data={"csrf_token": token})
    assert other.status_code == 404
    # An admin of another organisation; a member of staff who is not an admin here.
    for role, org in (("admin", OTHER_ORG), ("staff", ORG)):
        browser = app.test_client()
        staff.join(app, browser, mailbox, f"{role}-{scenarios.marker()}@example.org", role, org)
        assert browser.get(SERVICES).status_code == 404
        assert browser.get(EDIT).status_code == 404
        token = pages.csrf_token(browser.get("/staff"))
        assert browser.post(CHECKED, data={"csrf_token": token}).status_code == 404
        # Nor may an organisation's admin review changes.
        assert browser.get("/staff/directory").status_code == 404


def test_a_change_to_a_listing_changed_since_is_a_conflict(app, client, admin, director, tmp_path):
    description = f"Proposed before the import {scenarios.marker()}"
    assert _propose(admin, description=description).status_code == 302
    review = _review_link(director)
    seen_before = pages.hidden_fields(director.get(review), f"{review}/approve")["seen"]
    # The publisher's file changes the same listing.
    imported = "Rewritten by the publisher's latest file."
    records = json.loads(importer.DEMO_FILE.read_text(encoding="utf-8"))
    for organisation in records:
        for service in organisation.get("services") or []:
            if service["name"] == "Debt advice drop-in":
                service["description"] = imported
    changed_file = tmp_path / "directory.hsds.json"
    changed_file.write_text(json.dumps(records))
    with app.app_context():
        summary = importer.load_demo(changed_file)
        assert summary.services_updated == 1
        db.session.commit()
        db.session.remove()

    # Approving as the page was before the import: refused, and nothing applied.
    stale = _approve(director, review, seen=seen_before)
    assert stale.status_code == 409
    assert "The listing changed while you were looking at it" in pages.text(stale)
    assert imported in pages.text(client.get(PUBLIC))
    # The review page shows the conflict: what it said, what it says now, what is proposed.
    page = director.get(review)
    assert pages.soup(page).find(id="conflict") is not None
    headings = [
        " ".join(th.get_text().split())
        for th in pages.soup(page).find("table", id="changes").select("thead th")
    ]
    assert headings == ["Detail", "When the change was proposed", "Listed now", "Proposed"]
    then, now, proposed = _columns(page, "description")
    assert (now, proposed) == (imported, description)
    assert then != imported
    button = pages.soup(page).find("form", action=f"{review}/approve").find("button")
    assert button.get_text().strip() == "Approve anyway"
    # Approving knowingly replaces it.
    assert _approve(director, review).status_code == 302
    assert description in pages.text(client.get(PUBLIC))


def test_bad_input_keeps_what_was_typed(app, admin):
    typed = {
        "description": "",
        "eligibility": f"People in Eastbridge {scenarios.marker()}",
        "opening_hours": "Monday\tto Friday",
        "referral_email": "not an address",
    }
    response = journeys.post_form(admin, EDIT, typed)
    assert response.status_code == 400
    assert pages.title(response).startswith("Error:")
    assert pages.error_summary(response) == [
        "Enter what the service does",
        "Write this on one line, without tabs",
        "Enter an email address in the correct format, like name@example.com",
    ]
    for name in ("eligibility", "opening_hours", "referral_email"):
        assert _value(response, name) == typed[name], name
    # The same words as the listing: nothing to approve, said plainly.
    same = journeys.post_form(admin, EDIT, _listing(admin))
    assert same.status_code == 400
    assert "You have not changed anything" in pages.text(same)
    with app.app_context():
        assert db.session.scalars(select(ListingChange)).all() == []
        db.session.remove()


def test_posts_without_a_csrf_token_are_refused(app, admin, director):
    values = _listing(admin, description="Sent without a token")
    assert admin.post(EDIT, data=values).status_code == 400
    assert admin.post(CHECKED).status_code == 400
    assert admin.post(CAPACITY, data={"capacity": "not_accepting"}).status_code == 400
    with app.app_context():
        assert db.session.scalars(select(ListingChange)).all() == []
        assert db.session.scalars(select(ListingEvent)).all() == []
        db.session.remove()
    assert _propose(admin, description="Sent with a token").status_code == 302
    review = _review_link(director)
    assert director.post(f"{review}/approve", data={"seen": "1:x"}).status_code == 400
    assert director.post(f"{review}/reject", data={"reason": "no"}).status_code == 400
    with app.app_context():
        assert db.session.scalars(select(ListingChange.status)).all() == ["pending"]
        db.session.remove()


def test_the_pages_render_in_welsh(admin, director):
    token = pages.csrf_token(admin.get(SERVICES))
    admin.post("/language", data={"csrf_token": token, "lang": "cy", "next": SERVICES})
    for path in (SERVICES, EDIT, CAPACITY):
        page = admin.get(path)
        assert page.status_code == 200, path
        assert pages.soup(page).html["lang"] == "cy", path
    assert _propose(admin, description="Geiriau newydd").status_code == 302
    assert admin.get(PROPOSED).status_code == 200


def _at_once(count: int, request) -> list[int]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(request, range(count)))


@pytest.fixture
def no_rate_limits() -> Iterator[None]:
    limiter.enabled = False
    yield
    limiter.enabled = True


def test_proposals_at_the_same_moment_leave_one_pending_change(app, admin, no_rate_limits):
    values = _listing(admin)
    token = pages.csrf_token(admin.get(EDIT))

    def propose(number: int) -> int:
        data = {**values, "csrf_token": token, "description": f"Proposal number {number}"}
        return admin.post(EDIT, data=data).status_code

    assert set(_at_once(6, propose)) == {302}
    with app.app_context():
        changes = db.session.scalars(select(ListingChange)).all()
        assert [change.status for change in changes] == ["pending"]
        assert changes[0].new["description"].startswith("Proposal number ")
        db.session.remove()


def test_approvals_at_the_same_moment_apply_the_change_once(app, admin, director, no_rate_limits):
    assert _propose(admin, description="Approved once, however many click").status_code == 302
    review = _review_link(director)
    fields = pages.hidden_fields(director.get(review), f"{review}/approve")

    def approve(_number: int) -> int:
        return director.post(f"{review}/approve", data=fields).status_code

    assert set(_at_once(6, approve)) <= {302, 409}
    with app.app_context():
        service = db.session.scalars(select(Service).where(Service.slug == SERVICE)).one()
        assert service.listing_version == 2
        assert service.description == "Approved once, however many click"
        kinds = db.session.scalars(select(ListingEvent.kind)).all()
        assert kinds == ["approved"]
        db.session.remove()

"""The organisation's inbox (ADR 0010): its staff see the referrals sent to it, filter, sort
and page them, open one (only what is shared now, logged for the resident) and work it with
the share link's service functions; another organisation's staff get 404s."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from passport.database import db
from passport.directory.models import Service
from tests.support import journeys, pages, scenarios, staff
from tests.support.mailbox import Mailbox

ORG = "eastbridge-advice-centre"
OTHER_ORG = "eastbridge-community-food-bank"
INBOX = f"/staff/{ORG}/referrals"
ENTRY = r"/staff/" + ORG + r"/referrals/{id}"


@pytest.fixture
def worker(app: Flask, org_client: FlaskClient, mailbox: Mailbox, demo_directory) -> FlaskClient:
    """A second browser, signed in for work as staff of ORG."""
    staff.join(app, org_client, mailbox, f"staff-{scenarios.marker()}@example.org", "staff", ORG)
    return org_client


def entries(page) -> list[str]:  # type: ignore[no-untyped-def]
    return scenarios.ids_in(page, ENTRY)


def new_count(page) -> int:  # type: ignore[no-untyped-def]
    found = pages.soup(page).find(id="new-referrals")
    return int(found.get_text().split()[0]) if found else 0


def statuses(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [tag.get_text().strip() for tag in pages.soup(page).select("#inbox .np-status")]


def test_a_sent_referral_is_in_the_inbox_new_until_opened(client, worker, mailbox):
    referred = scenarios.resident_with_referral(client, mailbox)
    listed = worker.get(INBOX)
    assert listed.status_code == 200
    assert listed.headers["Cache-Control"] == "no-store"
    assert len(entries(listed)) == 1
    assert statuses(listed) == ["Sent"]
    assert new_count(listed) == 1
    # Only the page's rows are opened: the service's name, not the person's words.
    assert "Debt advice drop-in" in pages.text(listed)
    assert referred.story not in listed.get_data(as_text=True)

    opened = worker.get(f"{INBOX}/{entries(listed)[0]}")
    assert opened.status_code == 200
    body = opened.get_data(as_text=True)
    assert referred.story in body and referred.message in body
    assert pages.soup(opened).find(id="timeline") is not None
    again = worker.get(INBOX)
    assert statuses(again) == ["Opened"] and new_count(again) == 0


def test_every_view_is_in_the_residents_access_log_as_a_member_of_staff(client, worker, mailbox):
    scenarios.resident_with_referral(client, mailbox)
    entry = entries(worker.get(INBOX))[0]
    worker.get(f"{INBOX}/{entry}")
    history = pages.text(client.get("/passport/looked-at"))
    assert "A member of staff at Eastbridge Advice Centre looked at" in history


def test_staff_accept_and_message_through_the_inbox(client, worker, mailbox):
    referred = scenarios.resident_with_referral(client, mailbox)
    page = f"{INBOX}/{entries(worker.get(INBOX))[0]}"
    shown = worker.get(page)
    accepted = worker.post(f"{page}/accept", data={"csrf_token": pages.csrf_token(shown)})
    assert accepted.status_code == 302
    words = f"Come on Tuesday {scenarios.marker()}"
    sent = journeys.post_form(worker, f"{page}/message", {"body": words})
    assert sent.status_code == 302
    assert statuses(worker.get(INBOX)) == ["Accepted"]
    resident = client.get(referred.referral)
    assert "Accepted" in pages.text(resident) and words in resident.get_data(as_text=True)


def test_the_inbox_filters_sorts_and_pages(app, client, worker, mailbox, monkeypatch):
    from passport.inbox import service as inbox

    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    scenarios.resident_with_referral(client, mailbox)
    for _ in range(2):
        journeys.refer(client, scenarios.SERVICE, ["about"])
    journeys.refer(client, scenarios.OTHER_SERVICE, ["about"])  # also ORG's
    with app.app_context():
        other = db.session.scalar(select(Service.id).where(Service.slug == scenarios.OTHER_SERVICE))
        db.session.remove()
    listed = worker.get(INBOX)
    assert "4 referrals" in pages.text(listed) and "Page 1 of 2" in pages.text(listed)
    newest = [row.get_text() for row in pages.soup(listed).select("#inbox tbody tr td:first-child")]
    assert newest == ["Referral 4", "Referral 3"]
    oldest = worker.get(f"{INBOX}?sort=oldest&page=2")
    assert [r.get_text() for r in pages.soup(oldest).select("#inbox tbody tr td:first-child")] == [
        "Referral 3",
        "Referral 4",
    ]
    by_service = worker.get(f"{INBOX}?service={other}")
    assert "1 referral" in pages.text(by_service)
    assert "Housing rights advice" in pages.text(by_service)
    # Open one: it is no longer new.
    worker.get(f"{INBOX}/{entries(listed)[0]}")
    assert "1 referral" in pages.text(worker.get(f"{INBOX}?status=opened"))
    assert "3 referrals" in pages.text(worker.get(f"{INBOX}?status=sent"))
    assert new_count(worker.get(INBOX)) == 3
    # Nonsense in the address is ignored, not an error.
    assert worker.get(f"{INBOX}?status=nope&service=x&page=999999999").status_code == 200


def test_another_organisations_staff_get_404s(app, client, worker, mailbox):
    scenarios.resident_with_referral(client, mailbox)
    entry = entries(worker.get(INBOX))[0]
    stranger = app.test_client()
    staff.join(app, stranger, mailbox, f"s-{scenarios.marker()}@example.org", "admin", OTHER_ORG)
    assert stranger.get(f"/staff/{OTHER_ORG}/referrals/{entry}").status_code == 404
    assert stranger.get(f"{INBOX}/{entry}").status_code == 404
    assert stranger.get(INBOX).status_code == 404
    assert "Referral 1" not in pages.text(stranger.get(f"/staff/{OTHER_ORG}/referrals"))
    token = pages.csrf_token(stranger.get(f"/staff/{OTHER_ORG}/referrals"))
    moved = stranger.post(
        f"/staff/{OTHER_ORG}/referrals/{entry}/accept", data={"csrf_token": token}
    )
    assert moved.status_code == 404
    assert statuses(worker.get(INBOX)) == ["Sent"]


def test_a_volunteer_has_no_inbox(app, client, mailbox, demo_directory):
    volunteer = app.test_client()
    staff.join(app, volunteer, mailbox, f"v-{scenarios.marker()}@example.org", "volunteer", ORG)
    assert volunteer.get(INBOX).status_code == 404


def test_a_pasted_share_link_opens_without_a_code_for_its_own_staff_only(
    app, client, worker, mailbox
):
    referred = scenarios.resident_with_referral(client, mailbox)
    own = worker.get(referred.share_link)
    assert own.status_code == 200
    assert referred.story in own.get_data(as_text=True)
    stranger = app.test_client()
    staff.join(app, stranger, mailbox, f"s-{scenarios.marker()}@example.org", "staff", OTHER_ORG)
    other = stranger.get(referred.share_link)
    assert other.status_code == 200 and referred.story not in other.get_data(as_text=True)
    assert "code" in pages.text(other)
    anyone = app.test_client().get(referred.share_link)
    assert referred.story not in anyone.get_data(as_text=True)


def test_revoking_while_the_page_is_open_ends_what_staff_see(client, worker, mailbox):
    referred = scenarios.resident_with_referral(client, mailbox)
    page = f"{INBOX}/{entries(worker.get(INBOX))[0]}"
    shown = worker.get(page)
    assert referred.story in shown.get_data(as_text=True)
    # The resident stops sharing from their passport page.
    grant = scenarios.ids_in(client.get("/passport"), r"/passport/shares/{id}/stop")[0]
    stopped = journeys.post_form(client, f"/passport/shares/{grant}/stop", {})
    assert stopped.status_code == 302
    words = f"We can help {scenarios.marker()}"
    sent = worker.post(
        f"{page}/message", data={"csrf_token": pages.csrf_token(shown), "body": words}
    )
    assert sent.status_code == 410
    assert words in sent.get_data(as_text=True)  # shown back, not kept
    accepted = worker.post(f"{page}/accept", data={"csrf_token": pages.csrf_token(shown)})
    assert accepted.status_code == 410
    again = worker.get(page)
    assert again.status_code == 200
    assert referred.story not in again.get_data(as_text=True)
    assert pages.soup(again).find(id="not-shared") is not None
    assert words not in client.get(referred.referral).get_data(as_text=True)


def test_two_staff_answering_at_once_make_one_answer_and_the_inbox_keeps_in_step(
    app, client, worker, mailbox
):
    from concurrent.futures import ThreadPoolExecutor

    from passport.extensions import limiter
    from passport.referrals.lifecycle import Status
    from passport.referrals.models import Referral, ReferralEvent

    scenarios.resident_with_referral(client, mailbox)
    colleague = app.test_client()
    staff.join(app, colleague, mailbox, f"c-{scenarios.marker()}@example.org", "admin", ORG)
    page = f"{INBOX}/{entries(worker.get(INBOX))[0]}"
    tokens = [pages.csrf_token(worker.get(page)), pages.csrf_token(colleague.get(page))]

    def act(n: int) -> int:
        if n % 2:
            data = {"csrf_token": tokens[1], "reason": f"We are full, number {n}."}
            return colleague.post(f"{page}/decline", data=data).status_code
        return worker.post(f"{page}/accept", data={"csrf_token": tokens[0]}).status_code

    limiter.enabled = False
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(act, range(4)))
    finally:
        limiter.enabled = True
    assert set(results) <= {302, 409} and 302 in results, results
    with app.app_context():
        answers = db.session.scalars(
            select(ReferralEvent.status).where(
                ReferralEvent.status.in_([Status.ACCEPTED, Status.DECLINED])
            )
        ).all()
        status = db.session.scalar(select(Referral.status))
        db.session.remove()
    assert len(answers) == 1 and status == answers[0]
    # The inbox says what the referral says.
    assert statuses(worker.get(INBOX)) == [
        str(status).replace("accepted", "Accepted").replace("declined", "Declined")
    ]
    assert "1 referral" in pages.text(worker.get(f"{INBOX}?status={status.value}"))


def test_rebuild_gives_a_referral_sent_before_the_inbox_its_entry_once(
    app, client, worker, mailbox
):
    from sqlalchemy import delete, func

    from passport import vault
    from passport.inbox.models import InboxEntry
    from passport.referrals.models import Referral

    scenarios.resident_with_referral(client, mailbox)
    page = f"{INBOX}/{entries(worker.get(INBOX))[0]}"
    accepted = worker.post(
        f"{page}/accept", data={"csrf_token": pages.csrf_token(worker.get(page))}
    )
    assert accepted.status_code == 302
    # A second referral, from someone else, keeps its entry.
    scenarios.resident_with_referral(app.test_client(), mailbox)
    with app.app_context():
        accepted_id = db.session.scalar(select(Referral.id).where(Referral.status == "accepted"))
        for entry in db.session.scalars(select(InboxEntry)):
            if vault.open(entry, "referral", entry.referral_sealed) == str(accepted_id):
                db.session.execute(delete(InboxEntry).where(InboxEntry.id == entry.id))
        db.session.commit()
        db.session.remove()
    # As before migration 0016: the accepted referral is missing from the inbox.
    assert statuses(worker.get(INBOX)) == ["Sent"]

    rebuilt = app.test_cli_runner().invoke(args=["inbox", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert rebuilt.output == (
        "Added 1 referral to their organisations' inboxes; 1 referral had their entry already.\n"
    )
    listed = worker.get(INBOX)
    assert sorted(statuses(listed)) == ["Accepted", "Sent"]
    # Numbered after the entries there were; it opens, as any entry does.
    assert "Referral 3" in pages.text(listed)
    rebuilt_entry = next(e for e in entries(listed) if e not in page)
    assert worker.get(f"{INBOX}/{rebuilt_entry}").status_code == 200

    again = app.test_cli_runner().invoke(args=["inbox", "rebuild"])
    assert again.exit_code == 0, again.output
    assert again.output == (
        "Added 0 referrals to their organisations' inboxes; 2 referrals had their entry already.\n"
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InboxEntry)) == 2
        # Sealed under the organisation's key, as sending writes it: no referral id in plain.
        for entry in db.session.scalars(select(InboxEntry)):
            assert str(accepted_id).encode() not in entry.referral_sealed
            assert accepted_id.bytes not in entry.referral_sealed
        db.session.remove()
    assert len(entries(worker.get(INBOX))) == 2

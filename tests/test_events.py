"""Services record what happened as events, through the real pages, and their subscribers act
in the same transaction: a subscriber that fails takes the change with it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import pytest
from flask import Flask
from sqlalchemy import func, select

from passport import events
from passport.database import db
from passport.needs.models import Need
from passport.sharing.models import AccessEvent
from tests.support import journeys, pages
from tests.support.scenarios import ORG_EMAIL, Referred, resident_with_referral

E = TypeVar("E", bound=events.Event)


class Heard(list[events.Event]):
    def of(self, kind: type[E]) -> list[E]:
        return [event for event in self if isinstance(event, kind)]


KINDS = (
    events.NeedRecorded,
    events.ReferralMoved,
    events.GrantChanged,
    events.RecordViewed,
    events.LinkLocked,
)


@pytest.fixture
def heard() -> Iterator[Heard]:
    """Every event the pages record, beside the app's own subscribers."""
    log = Heard()
    for kind in KINDS:
        events.subscribe(kind)(log.append)
    yield log
    for kind in KINDS:
        events.unsubscribe(kind, log.append)


@pytest.fixture
def referred(client, mailbox, demo_directory) -> Referred:
    return resident_with_referral(client, mailbox)


def test_adding_changing_and_removing_a_need_records_each_change(client, mailbox, heard):
    journeys.sign_up(client, mailbox, "needs@example.net")
    journeys.add_need(client, "money", "I owe the council.")
    passport = client.get("/passport")
    edit = next(a["href"] for a in pages.soup(passport).select("a[href$='/edit']"))
    journeys.post_form(client, edit, {"category": "housing", "story": "I owe the landlord."})
    journeys.post_form(client, edit.replace("/edit", "/delete"), {})

    recorded = heard.of(events.NeedRecorded)
    assert [(e.category, e.change) for e in recorded] == [
        ("money", "added"),
        ("housing", "changed"),
        ("housing", "removed"),
    ]
    assert len({e.need_id for e in recorded}) == 1
    # A fact, not the record: the story stays in the passport.
    assert "council" not in repr(recorded) and "landlord" not in repr(recorded)


def test_sending_a_referral_records_its_move_and_the_grant_it_made(referred, heard, client):
    # The referral in `referred` was sent before listening: send a second one.
    journeys.refer(client, "housing-rights-advice", ["about"])
    moved = heard.of(events.ReferralMoved)
    assert [(e.move, e.status) for e in moved] == [("send", "sent")]
    assert [e.change for e in heard.of(events.GrantChanged)] == ["made"]


def test_an_organisation_that_opens_a_link_records_what_it_was_shown(
    app: Flask, referred, heard, org_client, mailbox
):
    link = journeys.open_share_as_org(org_client, mailbox, ORG_EMAIL)
    assert org_client.get(link).status_code == 200

    (viewed,) = heard.of(events.RecordViewed)
    assert set(viewed.sections) == {"about", "money"}
    assert [(e.move, e.status) for e in heard.of(events.ReferralMoved)] == [("open", "opened")]
    # The access log is the subscriber's work: one look for the visit.
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccessEvent)) == 1


def test_declining_records_the_answer_and_the_end_of_the_sharing(
    referred, heard, org_client, mailbox
):
    link = journeys.open_share_as_org(org_client, mailbox, ORG_EMAIL)
    journeys.post_form(org_client, f"{link}/decline", {"reason": "We are full."})
    assert [e.move for e in heard.of(events.ReferralMoved)] == ["decline"]
    assert [e.change for e in heard.of(events.GrantChanged)] == ["ended"]
    # The subscriber told the resident, after the commit.
    assert mailbox.last_to(referred.email).subject == "There is an update"


def test_a_subscriber_that_fails_takes_the_change_with_it(app: Flask, client, mailbox, monkeypatch):
    journeys.sign_up(client, mailbox, "fails@example.net")

    def broken(event: events.NeedRecorded) -> None:
        raise RuntimeError("the audit trail could not be written")

    events.subscribe(events.NeedRecorded)(broken)
    try:
        with pytest.raises(RuntimeError):
            journeys.add_need(client, "money", "Nothing of this is kept.")
    finally:
        events.unsubscribe(events.NeedRecorded, broken)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Need)) == 0

"""Domain events as pure code: who hears what, in which order, and that events are facts."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from passport import events

AT = datetime(2026, 3, 3, 10, 14, tzinfo=UTC)


def viewed() -> events.RecordViewed:
    return events.RecordViewed(
        at=AT,
        passport_id=uuid.uuid4(),
        grant_id=uuid.uuid4(),
        link_id=uuid.uuid4(),
        look_id=uuid.uuid4(),
        sections=("about", "housing"),
    )


def moved() -> events.ReferralMoved:
    return events.ReferralMoved(
        at=AT, referral_id=uuid.uuid4(), passport_id=uuid.uuid4(), move="accept", status="accepted"
    )


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, events.Event]]]:
    """Three subscribers, two to one kind and one to another, and none of the app's."""
    monkeypatch.setattr(events, "_subscribers", {})
    log: list[tuple[str, events.Event]] = []

    def first(event: events.RecordViewed) -> None:
        log.append(("first", event))

    def second(event: events.RecordViewed) -> None:
        log.append(("second", event))

    def other(event: events.ReferralMoved) -> None:
        log.append(("other", event))

    events.subscribe(events.RecordViewed)(first)
    events.subscribe(events.RecordViewed)(second)
    events.subscribe(events.ReferralMoved)(other)
    yield log
    events.unsubscribe(events.RecordViewed, first)
    events.unsubscribe(events.RecordViewed, second)
    events.unsubscribe(events.ReferralMoved, other)


def test_every_subscriber_to_a_kind_hears_it_in_the_order_they_subscribed(heard):
    event = viewed()
    events.record(event)
    assert heard == [("first", event), ("second", event)]


def test_a_subscriber_hears_only_its_own_kind(heard):
    event = moved()
    events.record(event)
    assert heard == [("other", event)]


def test_an_event_nobody_subscribes_to_is_recorded_quietly(heard):
    events.record(
        events.LinkLocked(at=AT, grant_id=uuid.uuid4(), link_id=uuid.uuid4()),
    )
    assert heard == []


def test_a_subscriber_that_fails_stops_the_recording_with_its_error(heard):
    def broken(event: events.RecordViewed) -> None:
        raise RuntimeError("the access log could not be written")

    events.subscribe(events.RecordViewed)(broken)
    try:
        with pytest.raises(RuntimeError):
            events.record(viewed())
    finally:
        events.unsubscribe(events.RecordViewed, broken)
    assert [name for name, _event in heard] == ["first", "second"]


def test_an_event_is_a_fact_that_cannot_be_changed():
    event = viewed()
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.sections = ("everything",)  # type: ignore[misc]


def test_an_event_names_its_facts():
    with pytest.raises(TypeError):
        events.GrantChanged(AT, uuid.uuid4(), uuid.uuid4(), "made")  # type: ignore[misc]

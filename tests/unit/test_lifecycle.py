"""The referral lifecycle as pure code: one table of moves, and what each status allows."""

from __future__ import annotations

import re

import pytest

from passport.config import ROOT
from passport.referrals.lifecycle import (
    FHIR_TASK_STATUS,
    MOVES,
    Actor,
    Move,
    Note,
    Status,
    awaiting_answer,
    can,
    is_final,
    is_shared,
    moves_from,
)

S = Status

# Written out in full, so a change to the table must change this test too.
EXPECTED = {
    Move.CHANGE: ({S.DRAFT}, S.DRAFT),
    Move.SEND: ({S.DRAFT}, S.SENT),
    Move.OPEN: ({S.SENT}, S.OPENED),
    Move.ACCEPT: ({S.SENT, S.OPENED}, S.ACCEPTED),
    Move.DECLINE: ({S.SENT, S.OPENED}, S.DECLINED),
    Move.START: ({S.ACCEPTED, S.ON_HOLD}, S.IN_PROGRESS),
    Move.HOLD: ({S.ACCEPTED, S.IN_PROGRESS}, S.ON_HOLD),
    Move.COMPLETE: ({S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD}, S.COMPLETED),
    Move.WITHDRAW: ({S.SENT, S.OPENED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD}, S.WITHDRAWN),
}

# FHIR R4 Task.status (http://hl7.org/fhir/task-status), as issue 10 maps them.
FHIR = {
    S.DRAFT: "draft",
    S.SENT: "requested",
    S.OPENED: "received",
    S.ACCEPTED: "accepted",
    S.DECLINED: "rejected",
    S.IN_PROGRESS: "in-progress",
    S.ON_HOLD: "on-hold",
    S.COMPLETED: "completed",
    S.WITHDRAWN: "cancelled",
}


def test_the_table_of_moves():
    assert {move: (set(step.from_states), step.to) for move, step in MOVES.items()} == EXPECTED


@pytest.mark.parametrize("move", list(Move))
@pytest.mark.parametrize("status", list(Status))
def test_can_says_what_the_table_says(move: Move, status: Status):
    assert can(move, status) is (status in EXPECTED[move][0])


@pytest.mark.parametrize("status", list(Status))
def test_can_takes_the_stored_string(status: Status):
    # The column stores the value; a plain string from the database must answer alike.
    for move in Move:
        assert can(move, str(status.value)) is can(move, status)


def test_an_unknown_status_can_do_nothing():
    assert not any(can(move, "archived") for move in Move)
    assert not is_shared("archived")
    assert not awaiting_answer("archived")


def test_every_status_is_reachable_from_a_draft():
    reached, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        status = frontier.pop()
        for step in MOVES.values():
            if status in step.from_states and step.to not in reached:
                reached.add(step.to)
                frontier.append(step.to)
    assert reached == set(Status)


def test_declined_completed_and_withdrawn_are_final():
    for status in (S.DECLINED, S.COMPLETED, S.WITHDRAWN):
        assert [move for move in Move if can(move, status)] == []
        assert is_final(status)
    assert {s for s in Status if is_final(s)} == {S.DECLINED, S.COMPLETED, S.WITHDRAWN}


def test_every_status_is_a_fhir_task_status():
    assert dict(FHIR_TASK_STATUS) == FHIR


def test_what_each_move_carries():
    notes = {move: step.note for move, step in MOVES.items() if step.note is not Note.NONE}
    assert notes == {
        Move.DECLINE: Note.REASON_REQUIRED,
        Move.HOLD: Note.REASON_REQUIRED,
        Move.COMPLETE: Note.OUTCOME,
        Move.WITHDRAW: Note.REASON_OPTIONAL,
    }


def test_who_makes_each_move():
    resident = {move for move, step in MOVES.items() if Actor.RESIDENT in step.by}
    assert resident == {Move.CHANGE, Move.SEND, Move.WITHDRAW}
    organisation = {move for move, step in MOVES.items() if Actor.ORGANISATION in step.by}
    assert organisation == set(Move) - resident
    assert moves_from(S.ON_HOLD, Actor.ORGANISATION) == [Move.START, Move.COMPLETE]
    assert moves_from(S.ON_HOLD, Actor.RESIDENT) == [Move.WITHDRAW]


def test_nothing_returns_to_a_draft_once_sent():
    for move, step in MOVES.items():
        if step.to is S.DRAFT:
            assert step.from_states == {S.DRAFT}, move


def test_the_passport_is_shared_exactly_while_the_resident_can_withdraw():
    for status in Status:
        assert is_shared(status) is can(Move.WITHDRAW, status)
    assert {s for s in Status if is_shared(s)} == {
        S.SENT,
        S.OPENED,
        S.ACCEPTED,
        S.IN_PROGRESS,
        S.ON_HOLD,
    }


def test_the_organisation_can_answer_exactly_while_it_can_accept_or_decline():
    for status in Status:
        assert awaiting_answer(status) is can(Move.ACCEPT, status) is can(Move.DECLINE, status)
    assert {s for s in Status if awaiting_answer(s)} == {S.SENT, S.OPENED}


def test_a_status_renders_as_its_stored_value():
    # Templates and CSS class names print the status: they must get 'sent', not 'Status.SENT'.
    assert [f"{status}" for status in Status] == [status.value for status in Status]


def test_every_status_has_a_colour_in_the_stylesheet():
    css = (ROOT / "passport" / "static" / "app.css").read_text()
    styled = set(re.findall(r"\.np-status--([a-z_]+)", css))
    assert styled == {status.value for status in Status}

"""A referral's lifecycle: its statuses and the moves between them, in one table, and the
FHIR R4 Task.status each status is (ADR 0022).

Pure: no Flask, no database. The service applies a move as one conditional UPDATE whose
WHERE clause is the move's from-states, so two requests at once cannot both make it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


class Status(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    OPENED = "opened"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class Move(enum.StrEnum):
    CHANGE = "change"  # the resident edits a draft; its status stays
    SEND = "send"
    OPEN = "open"  # the organisation looks for the first time
    ACCEPT = "accept"
    DECLINE = "decline"
    START = "start"  # the organisation starts working on it (again, after a hold)
    HOLD = "hold"
    COMPLETE = "complete"
    WITHDRAW = "withdraw"


class Actor(enum.StrEnum):
    """Who made a move or wrote a message: shown on both sides' timelines."""

    RESIDENT = "resident"
    ORGANISATION = "organisation"
    SYSTEM = "system"


class Note(enum.Enum):
    """What a move carries besides itself, in words the other side reads."""

    NONE = "none"
    REASON_REQUIRED = "reason required"
    REASON_OPTIONAL = "reason optional"
    OUTCOME = "outcome"  # one of OUTCOMES, and optional words


@dataclass(frozen=True)
class Step:
    from_states: frozenset[Status]
    to: Status
    by: frozenset[Actor]
    note: Note = Note.NONE


# Sent and not yet answered: the organisation may accept or decline.
AWAITING_ANSWER = frozenset({Status.SENT, Status.OPENED})
# Accepted and not finished: the organisation is working on it.
UNDER_WAY = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD})
# The organisation may see the passport (until the share runs out): the resident may withdraw.
SHARED = AWAITING_ANSWER | UNDER_WAY
FINAL = frozenset({Status.DECLINED, Status.COMPLETED, Status.WITHDRAWN})

RESIDENT = frozenset({Actor.RESIDENT})
ORGANISATION = frozenset({Actor.ORGANISATION})

MOVES: Mapping[Move, Step] = MappingProxyType(
    {
        Move.CHANGE: Step(frozenset({Status.DRAFT}), Status.DRAFT, RESIDENT),
        Move.SEND: Step(frozenset({Status.DRAFT}), Status.SENT, RESIDENT),
        Move.OPEN: Step(frozenset({Status.SENT}), Status.OPENED, ORGANISATION),
        Move.ACCEPT: Step(AWAITING_ANSWER, Status.ACCEPTED, ORGANISATION),
        Move.DECLINE: Step(AWAITING_ANSWER, Status.DECLINED, ORGANISATION, Note.REASON_REQUIRED),
        Move.START: Step(
            frozenset({Status.ACCEPTED, Status.ON_HOLD}), Status.IN_PROGRESS, ORGANISATION
        ),
        Move.HOLD: Step(
            frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
            Status.ON_HOLD,
            ORGANISATION,
            Note.REASON_REQUIRED,
        ),
        Move.COMPLETE: Step(UNDER_WAY, Status.COMPLETED, ORGANISATION, Note.OUTCOME),
        Move.WITHDRAW: Step(SHARED, Status.WITHDRAWN, RESIDENT, Note.REASON_OPTIONAL),
    }
)

# FHIR R4 Task.status for each status (http://hl7.org/fhir/task-status), as the Gravity
# Project's SDOH Clinical Care referral Task uses them.
FHIR_TASK_STATUS: Mapping[Status, str] = MappingProxyType(
    {
        Status.DRAFT: "draft",
        Status.SENT: "requested",
        Status.OPENED: "received",
        Status.ACCEPTED: "accepted",
        Status.DECLINED: "rejected",
        Status.IN_PROGRESS: "in-progress",
        Status.ON_HOLD: "on-hold",
        Status.COMPLETED: "completed",
        Status.WITHDRAWN: "cancelled",
    }
)


class Outcome(enum.StrEnum):
    """How a completed referral ended: the short list the organisation chooses from."""

    HELPED = "helped"  # the support was given
    PARTLY_HELPED = "partly-helped"
    REFERRED_ON = "referred-on"  # sent on to another service
    NO_CONTACT = "no-contact"  # could not reach the person
    NOT_NEEDED = "not-needed"  # the person no longer needed it


def can(move: Move, status: str) -> bool:
    """Whether a referral in this status may make this move."""
    return status in MOVES[move].from_states


def moves_from(status: str, actor: Actor) -> list[Move]:
    """The moves this actor may make from this status, in the table's order."""
    return [move for move, step in MOVES.items() if status in step.from_states and actor in step.by]


def awaiting_answer(status: str) -> bool:
    """Whether the organisation may still accept or decline."""
    return status in AWAITING_ANSWER


def is_shared(status: str) -> bool:
    """Whether the organisation may still see the passport through this referral."""
    return status in SHARED


def is_final(status: str) -> bool:
    return status in FINAL

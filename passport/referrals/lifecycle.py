"""A referral's lifecycle: its statuses and the moves between them, in one table.

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
    WITHDRAWN = "withdrawn"


class Move(enum.StrEnum):
    CHANGE = "change"  # the resident edits a draft; its status stays
    SEND = "send"
    OPEN = "open"  # the organisation looks for the first time
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class Step:
    from_states: frozenset[Status]
    to: Status


# Sent and not yet answered: the organisation may accept or decline.
AWAITING_ANSWER = frozenset({Status.SENT, Status.OPENED})
# The organisation may see the passport (until the share runs out): the resident may withdraw.
SHARED = AWAITING_ANSWER | {Status.ACCEPTED}

MOVES: Mapping[Move, Step] = MappingProxyType(
    {
        Move.CHANGE: Step(frozenset({Status.DRAFT}), Status.DRAFT),
        Move.SEND: Step(frozenset({Status.DRAFT}), Status.SENT),
        Move.OPEN: Step(frozenset({Status.SENT}), Status.OPENED),
        Move.ACCEPT: Step(AWAITING_ANSWER, Status.ACCEPTED),
        Move.DECLINE: Step(AWAITING_ANSWER, Status.DECLINED),
        Move.WITHDRAW: Step(SHARED, Status.WITHDRAWN),
    }
)


def can(move: Move, status: str) -> bool:
    """Whether a referral in this status may make this move."""
    return status in MOVES[move].from_states


def awaiting_answer(status: str) -> bool:
    """Whether the organisation may still accept or decline."""
    return status in AWAITING_ANSWER


def is_shared(status: str) -> bool:
    """Whether the organisation may still see the passport through this referral."""
    return status in SHARED

"""Domain events: what happened, recorded once by the service where it happens. Subscribers
react to it in the same transaction, so a change and what follows from it are kept, or
rolled back, together.

Today the subscribers write the access log and tell people by e-mail; the audit trail and
the de-identified facts that reports count will subscribe the same way, so that reports
never read a passport. An event carries ids and plain facts, never a secret: an e-mail that
delivers a secret the service has just made (a sign-in link, a code, a share link) is sent
by that service itself.

Subscribers register at import, with `@subscribe(EventType)`, in the capability that
reacts. This module imports nothing of the app, so any capability may record or subscribe.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar


@dataclass(frozen=True, kw_only=True)
class Event:
    at: datetime


@dataclass(frozen=True, kw_only=True)
class NeedRecorded(Event):
    """A need was added to a passport, changed or removed."""

    passport_id: uuid.UUID
    need_id: uuid.UUID
    category: str
    change: Literal["added", "changed", "removed"]


@dataclass(frozen=True, kw_only=True)
class ReferralMoved(Event):
    """A referral made a move in its lifecycle (sent, opened, accepted, declined...)."""

    referral_id: uuid.UUID
    passport_id: uuid.UUID
    move: str
    status: str  # the status it moved to


@dataclass(frozen=True, kw_only=True)
class ReferralMessageSent(Event):
    """A message was written on a referral, by the resident or the organisation."""

    referral_id: uuid.UUID
    passport_id: uuid.UUID
    sender: str  # "resident" or "organisation"


@dataclass(frozen=True, kw_only=True)
class GrantChanged(Event):
    """A share grant was made, or ended (stopped, declined or withdrawn)."""

    grant_id: uuid.UUID
    passport_id: uuid.UUID
    change: Literal["made", "ended"]


@dataclass(frozen=True, kw_only=True)
class RecordViewed(Event):
    """An organisation was shown these sections of a passport through a share link."""

    passport_id: uuid.UUID
    grant_id: uuid.UUID
    link_id: uuid.UUID | None  # None: seen by the organisation's staff, in its inbox
    # The look this is part of: one per visit (a right code, then pages until it runs out).
    look_id: uuid.UUID
    sections: tuple[str, ...]
    by_staff: bool = False


@dataclass(frozen=True, kw_only=True)
class LinkLocked(Event):
    """Wrong codes locked a share link for good (recorded once per link)."""

    grant_id: uuid.UUID
    link_id: uuid.UUID


E = TypeVar("E", bound=Event)
Subscriber = Callable[[E], None]

_subscribers: dict[type[Event], list[Callable[[Any], None]]] = {}


def subscribe(kind: type[E]) -> Callable[[Subscriber[E]], Subscriber[E]]:
    """Call the decorated function with every event of exactly this kind, when recorded."""

    def register(subscriber: Subscriber[E]) -> Subscriber[E]:
        _subscribers.setdefault(kind, []).append(subscriber)
        return subscriber

    return register


def unsubscribe(kind: type[E], subscriber: Subscriber[E]) -> None:
    _subscribers.get(kind, []).remove(subscriber)


def record(event: Event) -> None:
    """Tell every subscriber to this kind of event, in the order they subscribed.

    A subscriber that fails fails the request: what it does belongs to the same change.
    """
    for subscriber in list(_subscribers.get(type(event), ())):
        subscriber(event)

"""The one source of 'now', so tests can move time for expiries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def _real_now() -> datetime:
    return datetime.now(UTC)


_clock: Callable[[], datetime] = _real_now


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _clock()


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); None restores the real one."""
    global _clock
    _clock = clock or _real_now

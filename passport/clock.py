"""The one source of 'now'. Each app holds its own clock, so tests can move time for expiries.

A test server (PASSPORT_TESTING) gets a clock that a test can move forward from outside,
through passport/testing.py: real time plus an offset kept in a file in the instance folder,
so every worker of the server agrees on the time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, current_app, has_app_context

Clock = Callable[[], datetime]


def system_now() -> datetime:
    return datetime.now(UTC)


class MovableClock:
    """Real time, moved on by an offset that every process of one test server shares."""

    def __init__(self, offset_file: Path) -> None:
        self.offset_file = offset_file

    def __call__(self) -> datetime:
        return system_now() + self.offset()

    def offset(self) -> timedelta:
        try:
            return timedelta(seconds=float(self.offset_file.read_text()))
        except FileNotFoundError:
            return timedelta(0)

    def advance(self, by: timedelta) -> None:
        moved = self.offset() + by
        # Write whole, then rename: another worker never reads half a number.
        partial = self.offset_file.with_suffix(".partial")
        partial.write_text(str(moved.total_seconds()))
        partial.replace(self.offset_file)

    def reset(self) -> None:
        self.offset_file.unlink(missing_ok=True)


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    if settings.testing:
        app.extensions["clock"] = MovableClock(settings.instance_dir / "clock-offset")
    else:
        app.extensions["clock"] = system_now


def now() -> datetime:
    """The current time, timezone-aware UTC: the app's clock (outside an app, the system's)."""
    if has_app_context():
        clock: Clock = current_app.extensions.get("clock", system_now)
        return clock()
    return system_now()

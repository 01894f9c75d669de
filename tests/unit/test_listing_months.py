"""How long ago a listing was reviewed is counted in calendar months (directory/listing.py),
and how many months is set by PASSPORT_DIRECTORY_STALE_MONTHS and _HIDE_MONTHS."""

from __future__ import annotations

import os
from datetime import date

import pytest

from passport.config import load_settings
from passport.directory.listing import months_before


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 3), 6, date(2025, 9, 3)),
        (date(2026, 3, 3), 12, date(2025, 3, 3)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),  # February has no 31st
        (date(2024, 3, 31), 1, date(2024, 2, 29)),  # a leap year
        (date(2026, 8, 31), 6, date(2026, 2, 28)),
        (date(2026, 3, 3), 0, date(2026, 3, 3)),
        (date(2026, 3, 3), 25, date(2024, 2, 3)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


@pytest.fixture
def environment(monkeypatch, tmp_path):
    for name in [name for name in os.environ if name.startswith("PASSPORT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PASSPORT_INSTANCE_DIR", str(tmp_path))
    return monkeypatch


def test_the_months_default_to_six_and_twelve(environment):
    settings = load_settings()
    assert (settings.directory_stale_months, settings.directory_hide_months) == (6, 12)


def test_the_months_are_read_from_the_environment(environment):
    environment.setenv("PASSPORT_DIRECTORY_STALE_MONTHS", "3")
    environment.setenv("PASSPORT_DIRECTORY_HIDE_MONTHS", "9")
    settings = load_settings()
    assert (settings.directory_stale_months, settings.directory_hide_months) == (3, 9)

"""Working days for chasers: weekdays less a UK nation's bank holidays (from the `holidays`
library), counted on London's clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from passport import workdays


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 24), True),
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 26), False),  # Boxing Day, a Saturday
        (date(2026, 12, 28), False),  # Boxing Day, observed on the Monday
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2027, 3, 30), True),
        (date(2027, 1, 2), False),  # a Saturday
    ],
)
def test_working_days_in_england_and_wales(day, working):
    assert workdays.is_working_day(day, "ENG") is working
    assert workdays.is_working_day(day, "WLS") is working


def test_scotland_has_its_own_bank_holidays():
    # 2 January: a bank holiday in Scotland (on Monday 4th in 2027), not in England.
    assert workdays.is_working_day(date(2027, 1, 4), "ENG")
    assert not workdays.is_working_day(date(2027, 1, 4), "SCT")


@pytest.mark.parametrize(
    ("start", "days", "then"),
    [
        ("2026-12-07T10:00:00+00:00", 2, "2026-12-09T10:00:00+00:00"),  # Monday: Wednesday
        ("2026-12-04T15:00:00+00:00", 2, "2026-12-08T15:00:00+00:00"),  # Friday: Tuesday
        ("2026-12-05T11:00:00+00:00", 2, "2026-12-09T00:00:00+00:00"),  # Saturday: from Monday
        ("2026-12-23T10:00:00+00:00", 2, "2026-12-29T10:00:00+00:00"),  # over Christmas
        ("2026-12-21T10:00:00+00:00", 5, "2026-12-30T10:00:00+00:00"),  # 22-24, 29, 30
        # Over Easter, as the clocks go forward: 10:00 in London, 09:00 UTC.
        ("2027-03-25T10:00:00+00:00", 2, "2027-03-31T10:00:00+01:00"),
        # Sent at 23:30 UTC in summer: 00:30 the next day in London.
        ("2026-06-01T23:30:00+00:00", 2, "2026-06-04T00:30:00+01:00"),
    ],
)
def test_after_working_days(start, days, then):
    assert workdays.after_working_days(utc(start), days, "ENG") == utc(then)

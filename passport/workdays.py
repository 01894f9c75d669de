"""Working days: Monday to Friday, less the bank holidays of one UK nation, counted in
Europe/London. Bank holidays come from the maintained `holidays` library (its UK
subdivisions: ENG, WLS, SCT, NIR), so nobody keeps a list of dates by hand.

Pure: dates and times in, dates and times out; the caller says whose bank holidays.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@cache
def _bank_holidays(region: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=region, years=year))


def is_working_day(day: date, region: str) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(region, day.year)


def next_working_day(day: date, region: str) -> date:
    """The first working day after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day, region):
        day += timedelta(days=1)
    return day


def after_working_days(start: datetime, days: int, region: str) -> datetime:
    """The moment `days` whole working days after `start` (UTC), as London's clocks count.

    Sent on a working day, the count runs from that moment: Friday 15:00 plus 2 working days
    is Tuesday 15:00 (Monday and Tuesday counted). Sent on a weekend or a bank holiday, it
    runs from the start of the next working day: Saturday plus 2 is Wednesday 00:00.
    """
    local = start.astimezone(LONDON)
    day, at = local.date(), local.time().replace(tzinfo=None)
    if not is_working_day(day, region):
        day, at = next_working_day(day, region), time(0)
    for _ in range(days):
        day = next_working_day(day, region)
    return datetime.combine(day, at, LONDON).astimezone(UTC)

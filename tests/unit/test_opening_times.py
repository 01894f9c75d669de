"""passport/directory/details.py: whether a service is open at a moment, in Europe/London."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from passport.directory.details import Opening, delivered, delivery_mask, is_open

NINE_TO_FIVE_TUESDAY = [Opening(1, 9 * 60, 17 * 60)]
# Friday 22:00 until 02:00 on Saturday.
FRIDAY_NIGHT = [Opening(4, 22 * 60, 2 * 60)]


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (datetime(2026, 3, 3, 10, 14, tzinfo=UTC), True),  # Tuesday, GMT
        (datetime(2026, 3, 3, 8, 59, tzinfo=UTC), False),
        (datetime(2026, 3, 3, 9, 0, tzinfo=UTC), True),  # opens on the minute
        (datetime(2026, 3, 3, 17, 0, tzinfo=UTC), False),  # closed on the minute
        (datetime(2026, 3, 4, 10, 0, tzinfo=UTC), False),  # Wednesday
        # British Summer Time: 08:30 UTC is 09:30 in London, open; 16:30 UTC is 17:30, closed.
        (datetime(2026, 7, 7, 8, 30, tzinfo=UTC), True),
        (datetime(2026, 7, 7, 16, 30, tzinfo=UTC), False),
    ],
)
def test_open_on_its_day_between_its_hours_in_london(moment, open_):
    assert is_open(NINE_TO_FIVE_TUESDAY, moment) is open_


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (datetime(2026, 3, 6, 21, 59, tzinfo=UTC), False),
        (datetime(2026, 3, 6, 23, 30, tzinfo=UTC), True),
        (datetime(2026, 3, 7, 1, 59, tzinfo=UTC), True),  # Saturday, still Friday's night
        (datetime(2026, 3, 7, 2, 0, tzinfo=UTC), False),
        (datetime(2026, 3, 7, 23, 0, tzinfo=UTC), False),  # Saturday night: not open
    ],
)
def test_an_opening_that_closes_after_midnight_runs_into_the_next_day(moment, open_):
    assert is_open(FRIDAY_NIGHT, moment) is open_


def test_no_opening_times_means_not_known_rather_than_closed():
    assert is_open([], datetime(2026, 3, 3, 10, 0, tzinfo=UTC)) is None


def test_delivery_names_and_the_bitmask_go_both_ways():
    assert delivery_mask(["in_person", "online"]) == 5
    assert delivery_mask(["phone", "carrier pigeon"]) == 2
    assert delivery_mask([]) == 0
    assert delivered(5) == ["in_person", "online"]
    assert delivered(0) == []

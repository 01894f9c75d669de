"""passport/wellbeing/chart.py: scores in, geometry out, the same numbers as the table."""

from __future__ import annotations

import itertools
import re

import pytest

from passport.wellbeing import chart

CHECK_INS = [
    {"life": 2, "worthwhile": 10, "happy": 0, "anxious": 9},
    {"life": 5, "worthwhile": 7, "happy": 4, "anxious": 6},
    {"life": 9, "worthwhile": 3, "happy": 10, "anxious": 0},
]
LABELS = ["1 Mar 2026", "15 Mar 2026", "29 Mar 2026"]


def line_points(line: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"([\d.]+),([\d.]+)", line)]


def test_each_panel_draws_its_questions_scores_oldest_on_the_left():
    drawn = chart.build(CHECK_INS, LABELS)
    assert [p.question.code for p in drawn.panels] == ["life", "worthwhile", "happy", "anxious"]
    for panel in drawn.panels:
        code = panel.question.code
        assert [p.value for p in panel.points] == [c[code] for c in CHECK_INS]
        assert panel.latest.value == CHECK_INS[-1][code]
        xs = [x for x, _y in line_points(panel.line)]
        assert xs == sorted(xs) and xs[0] == chart.LEFT and xs[-1] == chart.WIDTH - chart.RIGHT
        # The line goes through the markers.
        assert line_points(panel.line) == [(p.x, p.y) for p in panel.points]


def test_ten_is_at_the_top_of_a_panel_and_nought_at_the_bottom_within_the_panel():
    drawn = chart.build(CHECK_INS, LABELS)
    for panel in drawn.panels:
        top = panel.top + chart.PLOT_TOP
        bottom = top + chart.PLOT_HEIGHT
        assert chart.y_of(10, panel.top) == top and chart.y_of(0, panel.top) == bottom
        assert [score for _y, score in panel.scale] == [10, 5, 0]
        assert all(top <= p.y <= bottom for p in panel.points)
    tops = [p.top for p in drawn.panels]
    assert all(b - a >= chart.PANEL_HEIGHT for a, b in itertools.pairwise(tops))
    assert drawn.height == tops[-1] + chart.PANEL_HEIGHT


def test_only_anxiety_is_marked_lower_is_better():
    drawn = chart.build(CHECK_INS, LABELS)
    assert [p.question.lower_is_better for p in drawn.panels] == [False, False, False, True]


def test_panels_differ_by_more_than_colour():
    drawn = chart.build(CHECK_INS, LABELS)
    assert len({p.dash for p in drawn.panels}) == 4
    shapes = {re.sub(r"[\d.,-]+", "", p.points[0].marker) for p in drawn.panels}
    assert len(shapes) == 4


def test_dates_first_and_last_and_a_middle_one_when_there_are_many():
    three = chart.build(CHECK_INS, LABELS).panels[0].dates
    assert [(anchor, label) for _x, anchor, label in three] == [
        ("start", "1 Mar 2026"),
        ("end", "29 Mar 2026"),
    ]
    many = chart.build(CHECK_INS * 2, [f"day {n}" for n in range(6)]).panels[0].dates
    assert [label for _x, _a, label in many] == ["day 0", "day 3", "day 5"]


def test_one_check_in_stands_in_the_middle():
    (only,) = chart.build(CHECK_INS[:1], LABELS[:1]).panels[0].points
    assert only.x == chart.LEFT + chart.PLOT_WIDTH / 2


def test_nothing_to_draw_is_refused():
    with pytest.raises(ValueError):
        chart.build([], [])
    with pytest.raises(ValueError):
        chart.build(CHECK_INS, LABELS[:2])

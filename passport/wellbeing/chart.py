"""The check-in chart, drawn on the server: small multiples, one panel per question.

Pure geometry: scores and their date labels in, positions and SVG path data out; the
template (wellbeing/_chart.html) writes the SVG with its translated words. Each panel has
its own marker shape and dash pattern as well as its colour, so nothing rests on colour
alone, and its name and latest score are written on it (docs/adr/0029-wellbeing-chart.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from passport.wellbeing.questions import HIGHEST, LOWEST, QUESTIONS, Question

WIDTH = 320
LEFT, RIGHT = 30, 40  # room for the 0/5/10 scale, and for the latest score at the line's end
TITLE_Y, PLOT_TOP, PLOT_HEIGHT, BELOW = 18, 32, 100, 28
PANEL_HEIGHT = PLOT_TOP + PLOT_HEIGHT + BELOW
GAP = 12
PLOT_WIDTH = WIDTH - LEFT - RIGHT

# One look per question, in QUESTIONS order: colour, dash pattern ("" is solid), marker.
STYLES = (
    ("#1d70b8", "", "circle"),
    ("#4c2c92", "8 4", "square"),
    ("#00703c", "2 4", "triangle"),
    ("#d4351c", "10 4 2 4", "diamond"),
)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    marker: str  # SVG path data for the marker drawn at (x, y)


@dataclass(frozen=True)
class Panel:
    question: Question
    top: float  # where the panel starts, from the top of the chart
    colour: str
    dash: str
    line: str  # SVG path data through the points, oldest to newest
    points: list[Point]
    scale: list[tuple[float, int]]  # (y, score) for the 0, 5 and 10 lines
    dates: list[tuple[float, str, str]]  # (x, text-anchor, label) under the plot

    @property
    def latest(self) -> Point:
        return self.points[-1]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    panels: list[Panel]
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    dates_below: int = PLOT_TOP + PLOT_HEIGHT + 20  # from a panel's top


def _r(value: float) -> float:
    return round(value, 1)


def marker(shape: str, x: float, y: float, size: float = 5) -> str:
    """Path data for a marker centred on (x, y): a circle, square, triangle or diamond."""
    s = size
    if shape == "circle":
        return f"M{_r(x - s)},{_r(y)}a{s},{s} 0 1,0 {2 * s},0a{s},{s} 0 1,0 {-2 * s},0z"
    if shape == "square":
        s = size * 0.85
        return f"M{_r(x - s)},{_r(y - s)}h{_r(2 * s)}v{_r(2 * s)}h{_r(-2 * s)}z"
    if shape == "triangle":
        low = _r(y + s * 0.85)
        return f"M{_r(x)},{_r(y - s * 1.15)}L{_r(x + s)},{low}L{_r(x - s)},{low}z"
    if shape == "diamond":
        s = size * 1.2
        return f"M{_r(x)},{_r(y - s)}L{_r(x + s)},{_r(y)}L{_r(x)},{_r(y + s)}L{_r(x - s)},{_r(y)}z"
    raise ValueError(shape)


def x_of(index: int, count: int) -> float:
    """Check-ins are evenly spaced, oldest on the left: each is one step along."""
    if count == 1:
        return _r(LEFT + PLOT_WIDTH / 2)
    return _r(LEFT + PLOT_WIDTH * index / (count - 1))


def y_of(score: int, top: float) -> float:
    return _r(top + PLOT_TOP + PLOT_HEIGHT * (HIGHEST - score) / (HIGHEST - LOWEST))


def _date_labels(labels: Sequence[str], count: int) -> list[tuple[float, str, str]]:
    """The first and the latest dates, and the middle one when there is room for it."""
    if count == 1:
        return [(x_of(0, 1), "middle", labels[0])]
    shown = [(x_of(0, count), "start", labels[0])]
    if count >= 5:
        middle = count // 2
        shown.append((x_of(middle, count), "middle", labels[middle]))
    shown.append((x_of(count - 1, count), "end", labels[-1]))
    return shown


def build(scores: Sequence[dict[str, int]], labels: Sequence[str]) -> Chart:
    """The chart of these check-ins (oldest first), `labels` naming each one's date."""
    if not scores or len(scores) != len(labels):
        raise ValueError("A chart needs at least one check-in, and a label for each.")
    count = len(scores)
    panels = []
    for number, (question, (colour, dash, shape)) in enumerate(zip(QUESTIONS, STYLES, strict=True)):
        top = number * (PANEL_HEIGHT + GAP)
        points = []
        for index, answers in enumerate(scores):
            value = answers[question.code]
            x, y = x_of(index, count), y_of(value, top)
            points.append(Point(x, y, value, marker(shape, x, y)))
        line = "M" + "L".join(f"{p.x},{p.y}" for p in points)
        panels.append(
            Panel(
                question=question,
                top=top,
                colour=colour,
                dash=dash,
                line=line,
                points=points,
                scale=[(y_of(v, top), v) for v in (HIGHEST, 5, LOWEST)],
                dates=_date_labels(labels, count),
            )
        )
    height = len(panels) * PANEL_HEIGHT + (len(panels) - 1) * GAP
    return Chart(width=WIDTH, height=height, panels=panels)

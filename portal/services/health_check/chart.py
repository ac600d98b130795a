"""A line chart of marks over time as plain data for a server-made SVG: points, line, axis ticks; RTL mirrors it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.services.health_check.answers import HIGHEST, LOWEST

WIDTH, HEIGHT = 640, 260
SMALL_WIDTH, SMALL_HEIGHT = 360, 220  # one chart of the small multiples, one per domain
# Room for the axis labels at the side of the marks, and for the dates below; the same on both sides.
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 48, 28, 44


@dataclass(frozen=True)
class Point:
    """One check on the chart: where it is drawn, its mark, its date, and its place in the history (0 = oldest)."""

    x: float
    y: float
    value: int
    taken_at: datetime
    index: int


@dataclass(frozen=True)
class Chart:
    """Everything the SVG template draws: size, points in time order, the line, the mark ticks, a summary."""

    width: int
    height: int
    points: tuple[Point, ...]
    line: str  # the `points` attribute of a <polyline>
    ticks: tuple[tuple[float, int], ...]  # (y, mark) for the grid lines 1, 4, 7, 10 ... up to HIGHEST
    axis_x: float  # where the mark axis is drawn: the left side, or the right side right-to-left
    plot_left: float
    plot_right: float
    baseline: float
    rtl: bool

    @property
    def first(self) -> Point:
        """The oldest check."""
        return self.points[0]

    @property
    def last(self) -> Point:
        """The latest check."""
        return self.points[-1]

    @property
    def lowest(self) -> int:
        """The lowest mark drawn."""
        return min(point.value for point in self.points)

    @property
    def highest(self) -> int:
        """The highest mark drawn."""
        return max(point.value for point in self.points)


def _y(value: int, height: int) -> float:
    plot = height - MARGIN_TOP - MARGIN_BOTTOM
    return round(MARGIN_TOP + plot * (HIGHEST - value) / (HIGHEST - LOWEST), 1)


def line_chart(
    history: list[tuple[datetime, int]], rtl: bool = False, width: int = WIDTH, height: int = HEIGHT
) -> Chart | None:
    """The chart of (taken_at, mark) pairs, oldest first, evenly spaced; right-to-left the time axis runs
    from right to left. None for an empty history."""
    if not history:
        return None
    left, right = MARGIN_SIDE, width - MARGIN_SIDE
    step = (right - left) / (len(history) - 1) if len(history) > 1 else 0
    points = []
    for index, (taken_at, value) in enumerate(history):
        offset = step * index if len(history) > 1 else (right - left) / 2
        x = round(right - offset if rtl else left + offset, 1)
        points.append(Point(x=x, y=_y(value, height), value=value, taken_at=taken_at, index=index))
    ticks = tuple((_y(value, height), value) for value in range(LOWEST, HIGHEST + 1, 3))
    return Chart(
        width=width,
        height=height,
        points=tuple(points),
        line=" ".join(f"{point.x},{point.y}" for point in points),
        ticks=ticks,
        axis_x=right + MARGIN_SIDE / 2 if rtl else left - MARGIN_SIDE / 2,
        plot_left=left,
        plot_right=right,
        baseline=height - MARGIN_BOTTOM,
        rtl=rtl,
    )

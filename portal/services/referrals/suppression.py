"""Small-number suppression of the referral funnel: a count of 1–4 residents is never shown, nor derivable.

Primary suppression. A cell counts distinct residents. A count of 1 to 4 is suppressed (shown as "< 5"); 0 is
shown. When a row's `requested` count is suppressed, every stage of that row and its median are suppressed. The
median is suppressed when fewer than 5 residents had a first contact.

Secondary (complementary) suppression. A suppressed number could be worked out from the numbers beside it:
a total minus the visible rows, or one stage from the others. So the cells are grouped into *lines*:

- the four stages of every row and every total, from the last stage to the first (so that on a tie a later
  stage is hidden rather than `requested`);
- for each stage: the rows of one route map and month with that route map's total of the month; the route
  maps' totals of one month with that month's total; the rows of one month with that month's total.

This runs over the whole fixed table of funnel.py (all cells of the last MAX_MONTHS months, not only the cells a
filter shows), so a cell is hidden or shown the same way in every view, and no view has a total of its own.

In a line where exactly one cell is suppressed, the visible cell (not the total) with the smallest value above 0
is suppressed too (on a tie the first in the line's order); when no such cell is visible, the line's total is
suppressed instead. Each new suppression can leave another line with exactly one suppressed cell, so the rule
runs again until no line has exactly one; every pass suppresses one more cell, so it stops. A line whose only
other cells are 0 cannot leak a hidden count: it has no total (a stage line always has its `requested`, which
is then hidden by the primary rule) or its total is itself below 5 and hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

THRESHOLD = 5


@dataclass
class Cell:
    """One count of distinct residents and whether it is hidden."""

    value: int
    suppressed: bool = False

    @property
    def shown(self) -> int | None:
        """The value, or None when it is suppressed."""
        return None if self.suppressed else self.value


@dataclass
class Line:
    """Cells that could be set off against each other: members, and their total if they have one."""

    members: list[Cell]
    total: Cell | None = None

    def cells(self) -> list[Cell]:
        """Members and total."""
        return self.members + ([self.total] if self.total is not None else [])


def group_lines(members: Iterable, totals: dict, key: Callable[[object], Hashable], stage: str) -> list[Line]:
    """One line per total in `totals` (by key): the `stage` cells of the members with that key, and the total's."""
    grouped: dict[Hashable, list[Cell]] = {}
    for member in members:
        grouped.setdefault(key(member), []).append(member.cells[stage])
    return [Line(cells, totals[found].cells[stage]) for found, cells in grouped.items() if found in totals]


def is_small(value: int, threshold: int = THRESHOLD) -> bool:
    """True for a count from 1 to below `threshold` (the funnel's 5; 0 is not small: it is shown)."""
    return 0 < value < threshold


def primary(stages: dict[str, Cell], first: str) -> bool:
    """Suppress the small counts of one row; all of them when the `first` stage is small. True if all hidden."""
    for cell in stages.values():
        cell.suppressed = cell.suppressed or is_small(cell.value)
    if stages[first].suppressed:
        for cell in stages.values():
            cell.suppressed = True
        return True
    return False


def _complement(line: Line) -> Cell | None:
    visible = [cell for cell in line.members if not cell.suppressed and cell.value > 0]
    if visible:
        return min(visible, key=lambda cell: cell.value)  # min keeps the first of equal values
    if line.total is not None and not line.total.suppressed:
        return line.total
    return None


def secondary(lines: Iterable[Line]) -> int:
    """Suppress complementary cells until no line has exactly one hidden cell; returns how many it hid."""
    lines = list(lines)
    hidden = 0
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(cell.suppressed for cell in line.cells()) != 1:
                continue
            cell = _complement(line)
            if cell is not None:
                cell.suppressed = True
                hidden += 1
                changed = True
    return hidden

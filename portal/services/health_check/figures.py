"""The neighbourhood's health-check figures for coordinators: mean marks per measurement, route map and month.

One fixed table, the same whatever the filters (docs/health_check_figures.md):
- per measurement (a resident's 1st, 2nd and 3rd check, in the order they were taken; later checks are not in it)
  and group (all residents; per route map, the residents referred through it), over all checks ever;
- per month (the local month of the check, the MAX_MONTHS months up to this month; a resident's last check of a
  month stands for that month), all residents.
Each cell has a count of distinct residents and the mean of the mark and of each domain. The marks are sealed, so
they are read in Python: one statement for the referrals and one streamed statement for the checks, however
many there are; the checks are summed into classes (checks in the same cells) as they arrive.
Small cells are hidden here and in figures_privacy.py; the filters only choose which cells are shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby

from sqlalchemy import select

from portal.extensions import db
from portal.models import HealthCheck, Referral
from portal.models.health_check import DOMAINS
from portal.services.health_check.answers import Answers
from portal.services.health_check.figures_privacy import suppress
from portal.services.referrals.funnel_filters import WITHOUT_ROUTE_MAP, FunnelFilters, parse_filters, this_month
from portal.services.referrals.suppression import Cell

KEYS = ("mark", *DOMAINS)
MEASUREMENTS = (1, 2, 3)
LATER = 0  # the measurement number of a 4th or later check: in the month table only
STREAM = 500  # checks fetched at a time


@dataclass
class Totals:
    """Sums over some checks: how many, and per key the sum, the lowest and the highest mark."""

    count: int = 0
    sums: list[int] = field(default_factory=lambda: [0] * len(KEYS))
    lows: list[int] = field(default_factory=lambda: [99] * len(KEYS))
    highs: list[int] = field(default_factory=lambda: [0] * len(KEYS))

    def add(self, other: Totals) -> None:
        """Add `other` (a check or a class) to these totals."""
        self.count += other.count
        for i in range(len(KEYS)):
            self.sums[i] += other.sums[i]
            self.lows[i] = min(self.lows[i], other.lows[i])
            self.highs[i] = max(self.highs[i], other.highs[i])


@dataclass
class FigureCell:
    """One cell: kind 'measurement' (measurement, group: a route map or None for all) or 'month' (month)."""

    kind: str
    measurement: int | None = None
    group: str | None = None
    month: date | None = None
    totals: Totals = field(default_factory=Totals)
    members: frozenset[int] = frozenset()  # the classes of checks it sums
    count: Cell = field(default_factory=lambda: Cell(0))
    hidden_means: set[str] = field(default_factory=set)

    @property
    def order(self) -> tuple:
        """A fixed order of the cells (ties in the suppression), the same in every language."""
        return (self.kind != "measurement", self.measurement or 0, self.group or "", self.month or date.min)

    def mean_hidden(self, key: str) -> bool:
        """True when the mean of `key` is not shown (the cell is hidden, or this mean is)."""
        return self.count.suppressed or key in self.hidden_means

    def mean(self, key: str) -> Decimal | None:
        """The mean of `key` to one decimal (halves up); None when it is hidden or the cell is empty."""
        if self.mean_hidden(key) or not self.totals.count:
            return None
        total, count = self.totals.sums[KEYS.index(key)], self.totals.count
        return Decimal((20 * total + count) // (2 * count)) / 10


@dataclass
class Figures:
    """The cells the filters choose: per group its three measurement cells, and the month cells."""

    filters: FunnelFilters
    groups: list[tuple[str | None, list[FigureCell]]]
    months: list[FigureCell]

    def chart_group(self) -> list[FigureCell]:
        """The measurement cells the chart draws: of the chosen route map, or of all residents."""
        wanted = self.filters.route_map
        return next((cells for group, cells in self.groups if group == wanted), self.groups[0][1])

    def cells(self) -> list[FigureCell]:
        """Every chosen cell, measurement cells first."""
        return [cell for _group, cells in self.groups for cell in cells] + self.months


def _referred() -> dict[int, frozenset[str]]:
    """The route maps each resident was referred through (a sent referral that was not voided)."""
    statement = (
        select(Referral.resident_id, Referral.route_map)
        .where(
            Referral.route_map.is_not(None),
            Referral.requested_at.is_not(None),
            Referral.status != "entered-in-error",
        )
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for resident_id, route_map in db.session.execute(statement):
        found.setdefault(resident_id, set()).add(route_map)
    return {resident_id: frozenset(maps) for resident_id, maps in found.items()}


def _marks(raw: str) -> Totals | None:
    """The totals of one check, or None when its sealed answers cannot be read."""
    try:
        answers = Answers.from_json(raw)
    except (ValueError, KeyError, TypeError):
        return None
    values = [answers.value(key) for key in KEYS]
    return Totals(1, values, list(values), list(values))


def _checks() -> Iterator[tuple[int, list[tuple[date, Totals]]]]:
    """Per resident (one at a time, streamed): their readable checks, oldest first, as (local month, totals)."""
    statement = (
        select(HealthCheck.resident_id, HealthCheck.taken_at, HealthCheck.answers)
        .order_by(HealthCheck.resident_id, HealthCheck.taken_at, HealthCheck.id)
        .execution_options(yield_per=STREAM)
    )
    rows = db.session.execute(statement)
    for resident_id, checks in groupby(rows, key=lambda row: row.resident_id):
        read = [(this_month(row.taken_at), _marks(row.answers)) for row in checks]
        yield resident_id, [(month, totals) for month, totals in read if totals is not None]


def classes(window: set[date]) -> dict[tuple, Totals]:
    """The checks summed per class: (measurement or LATER, route maps, month or None when not in the month table)."""
    referred = _referred()
    found: dict[tuple, Totals] = {}
    for resident_id, checks in _checks():
        groups = referred.get(resident_id, frozenset())
        for index, (month, totals) in enumerate(checks):
            measurement = index + 1 if index < len(MEASUREMENTS) else LATER
            last_of_month = index + 1 == len(checks) or checks[index + 1][0] != month
            counted = month if last_of_month and month in window else None
            found.setdefault((measurement, groups, counted), Totals()).add(totals)
    return found


def table(found: dict[tuple, Totals], window: list[date]) -> list[FigureCell]:
    """Every cell of the fixed table, with its totals and the classes it sums (nothing hidden yet)."""
    keys = list(found)
    route_maps = sorted({route_map for _m, groups, _month in keys for route_map in groups})
    cells = [
        FigureCell("measurement", measurement=m, group=group) for group in [None, *route_maps] for m in MEASUREMENTS
    ]
    cells += [FigureCell("month", month=month) for month in window]
    for cell in cells:
        if cell.kind == "measurement":
            members = [i for i, (m, groups, _t) in enumerate(keys) if m == cell.measurement]
            members = [i for i in members if cell.group is None or cell.group in keys[i][1]]
        else:
            members = [i for i, (_m, _groups, month) in enumerate(keys) if month == cell.month]
        cell.members = frozenset(members)
        for i in members:
            cell.totals.add(found[keys[i]])
        cell.count = Cell(cell.totals.count)
    return cells


def _chosen(cells: Iterable[FigureCell], filters: FunnelFilters) -> Figures:
    measured = [cell for cell in cells if cell.kind == "measurement"]
    groups: dict[str | None, list[FigureCell]] = {}
    for cell in measured:
        if cell.group is None or filters.route_map in (None, cell.group):
            groups.setdefault(cell.group, []).append(cell)
    wanted = filters.route_map
    if wanted is not None and wanted not in groups:  # nobody was referred through it yet
        groups[wanted] = [FigureCell("measurement", measurement=m, group=wanted) for m in MEASUREMENTS]
    months = [cell for cell in cells if cell.kind == "month" and filters.first <= cell.month <= filters.last]
    return Figures(filters, list(groups.items()), months)


def build_figures(filters: FunnelFilters) -> Figures:
    """The figures for `filters`: the cells of the fixed table that they choose, small cells hidden."""
    window = filters.window()
    found = classes(set(window))
    cells = table(found, window)
    suppress(cells, found, KEYS)
    return _chosen(cells, filters)


def parse_figure_filters(args: Mapping[str, str], route_maps: set[str], now: datetime) -> tuple[FunnelFilters, list]:
    """The filters from `args` as the funnel reads them (route_map, from, to), with the funnel's problem codes;
    there is no group of residents without a route map, so `none` is an unknown route map here."""
    filters, problems = parse_filters(args, route_maps, now)
    if filters.route_map == WITHOUT_ROUTE_MAP:
        problems.insert(0, "bad_route_map")
        filters = replace(filters, route_map=None)
    return filters, problems

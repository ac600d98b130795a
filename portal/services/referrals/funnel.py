"""The referral funnel for coordinators: residents per route map, offer and month, counted in SQL, small numbers hidden.

A referral counts when it was sent (requested_at set) and not voided (entered-in-error); its month is the local
month (Europe/Amsterdam) of requested_at. Stages: requested, accepted (accepted_at set), started (started_at set),
completed (status completed). Every figure is a number of distinct residents; see suppression.py for what is
hidden. The counts come from GROUP BY queries and the median from a histogram of whole days per cell (at most
one row per cell and day count), so the number of statements and the data read do not grow with the referrals.

Every figure is a cell of one fixed table, the same whatever the filters: per route map, offer and month, per
route map and month, and per month, over the MAX_MONTHS months up to this month. The small numbers are hidden
in that whole table; the filters then only choose which of its cells are shown. So two views never show two
figures that could be set off against each other beyond what one table shows (no total over "the chosen months").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, and_, case, distinct, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from portal.extensions import db
from portal.models import Organisation, ProgrammeText, Referral
from portal.services.referrals.funnel_filters import WITHOUT_ROUTE_MAP, FunnelFilters, add_months, month_start
from portal.services.referrals.suppression import THRESHOLD, Cell, Line, group_lines, primary, secondary

STAGES = ("requested", "accepted", "started", "completed")
_GROUPS = {
    "row": ("route_map", "programme_id", "organisation_id", "month"),
    "route_map": ("route_map", "month"),
    "month": ("month",),
}


class whole_days(FunctionElement):  # noqa: N801 - named like the SQL function it stands for
    """Whole days (rounded down, to the second) from the first datetime argument to the second."""

    type = Integer()
    name = "whole_days"
    inherit_cache = True


@compiles(whole_days, "sqlite")
def _whole_days_sqlite(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((CAST(strftime('%s', {end}) AS INTEGER) - CAST(strftime('%s', {start}) AS INTEGER)) / 86400)"


@compiles(whole_days)
def _whole_days_postgresql(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    seconds = f"EXTRACT(EPOCH FROM (date_trunc('second', {end}) - date_trunc('second', {start})))"
    return f"CAST(FLOOR({seconds} / 86400) AS INTEGER)"


@dataclass
class FunnelRow:
    """One row of the funnel (kind 'row') or a total of one month (kind 'route_map': of one route map; 'month')."""

    kind: str
    route_map: str | None = None
    programme_id: int | None = None
    organisation_id: int | None = None
    month: date | None = None
    cells: dict[str, Cell] = field(default_factory=dict)
    contacted: int = 0  # residents with a first contact: the median's base
    median_days: float | None = None
    median_suppressed: bool = False
    offer: str = ""
    organisation: str = ""


@dataclass
class Funnel:
    """The figures the filters choose: rows, totals per route map and month, totals per month (all route maps:
    only without a route-map filter)."""

    filters: FunnelFilters
    rows: list[FunnelRow]
    route_maps: list[FunnelRow]
    months: list[FunnelRow]

    @property
    def per_month(self) -> list[FunnelRow]:
        """The totals per month that the chart draws: of all route maps, or of the chosen one."""
        return self.months if self.filters.route_map is None else self.route_maps


def _base(filters: FunnelFilters):
    """One line per counted referral: its keys, its resident per stage reached, and its days to first contact."""
    months = filters.window()
    bounds = [month_start(month) for month in months] + [month_start(add_months(months[-1], 1))]
    at = Referral.requested_at
    label = case(
        *((and_(at >= bounds[i], at < bounds[i + 1]), month.strftime("%Y-%m")) for i, month in enumerate(months))
    )
    contact = Referral.first_contact_at
    days = case((contact.is_(None), None), (contact <= at, 0), else_=whole_days(at, contact))
    where = [at.is_not(None), Referral.status != "entered-in-error", at >= bounds[0], at < bounds[-1]]
    resident = Referral.resident_id
    return (
        select(
            resident.label("resident_id"),
            Referral.route_map,
            Referral.programme_id,
            Referral.organisation_id,
            label.label("month"),
            case((Referral.accepted_at.is_not(None), resident)).label("accepted"),
            case((Referral.started_at.is_not(None), resident)).label("started"),
            case((Referral.status == "completed", resident)).label("completed"),
            case((contact.is_not(None), resident)).label("contacted"),
            days.label("days"),
        )
        .where(*where)
        .subquery()
    )


def _key(kind: str, values) -> tuple:
    return (kind, *values)


def _counted(base, kind: str) -> dict[tuple, FunnelRow]:
    keys = [base.c[name] for name in _GROUPS[kind]]
    counts = [func.count(distinct(base.c[name])) for name in ("resident_id", "accepted", "started", "completed")]
    statement = select(*keys, *counts, func.count(distinct(base.c.contacted))).group_by(*keys)
    rows: dict[tuple, FunnelRow] = {}
    for record in db.session.execute(statement):
        values, figures = record[: len(keys)], record[len(keys) :]
        row = FunnelRow(kind, **dict(zip(_GROUPS[kind], values, strict=True)))
        if isinstance(row.month, str):
            row.month = date(int(row.month[:4]), int(row.month[5:7]), 1)
        row.cells = {stage: Cell(value) for stage, value in zip(STAGES, figures[:4], strict=True)}
        row.contacted = figures[4]
        rows[_key(kind, values)] = row
    return rows


def _median(histogram: list[tuple[int, int]]) -> float:
    """The median of the day counts in `histogram` ((days, how many) pairs)."""
    histogram.sort()
    total = sum(count for _days, count in histogram)
    wanted = [(total - 1) // 2, total // 2]  # the middle one, or the middle two
    found, seen = [], 0
    for days, count in histogram:
        found.extend(days for position in wanted if seen <= position < seen + count)
        seen += count
    return sum(found) / 2


def _add_medians(base, kind: str, rows: dict[tuple, FunnelRow]) -> None:
    keys = [base.c[name] for name in _GROUPS[kind]]
    statement = select(*keys, base.c.days, func.count()).where(base.c.days.is_not(None)).group_by(*keys, base.c.days)
    histograms: dict[tuple, list[tuple[int, int]]] = {}
    for record in db.session.execute(statement):
        histograms.setdefault(_key(kind, record[: len(keys)]), []).append((record[-2], record[-1]))
    for key, histogram in histograms.items():
        if key in rows:
            rows[key].median_days = _median(histogram)


def _order(row: FunnelRow) -> tuple:
    """An order of the cells that does not depend on the language or the database (ties in suppression.py)."""
    programme = -1 if row.programme_id is None else row.programme_id
    return (row.route_map is None, row.route_map or "", row.month, programme, row.organisation_id or 0)


def _suppress(rows: list[FunnelRow], route_maps: list[FunnelRow], months: list[FunnelRow]) -> None:
    """Apply the primary and the complementary suppression of suppression.py to the whole fixed table."""
    everything = rows + route_maps + months
    for row in everything:
        hidden = primary(row.cells, "requested")
        row.median_suppressed = hidden or row.contacted < THRESHOLD
    lines = [Line([row.cells[stage] for stage in reversed(STAGES)]) for row in everything]  # ties: not requested
    by_route_map = {(total.route_map, total.month): total for total in route_maps}
    by_month = {total.month: total for total in months}
    for stage in STAGES:
        lines += group_lines(rows, by_route_map, lambda row: (row.route_map, row.month), stage)
        lines += group_lines(route_maps, by_month, lambda row: row.month, stage)
        lines += group_lines(rows, by_month, lambda row: row.month, stage)
    secondary(lines)


def _chosen(filters: FunnelFilters, row: FunnelRow) -> bool:
    """True when the filters show `row`."""
    if row.month < filters.first or row.month > filters.last:
        return False
    if filters.route_map is None:
        return True
    return row.route_map == (None if filters.route_map == WITHOUT_ROUTE_MAP else filters.route_map)


def _label_offers(rows: list[FunnelRow], lang: str) -> None:
    """Name each row's offer: the programme's title in `lang` (or Dutch), and the receiving organisation."""
    programme_ids = {row.programme_id for row in rows if row.programme_id is not None}
    organisation_ids = {row.organisation_id for row in rows}
    titles: dict[tuple[int, str], str] = {}
    if programme_ids:
        statement = select(ProgrammeText.programme_id, ProgrammeText.locale, ProgrammeText.title).where(
            ProgrammeText.programme_id.in_(programme_ids), ProgrammeText.locale.in_({lang, "nl"})
        )
        titles = {(pid, locale): title for pid, locale, title in db.session.execute(statement)}
    names: dict[int, str] = {}
    if organisation_ids:
        statement = select(Organisation.id, Organisation.name).where(Organisation.id.in_(organisation_ids))
        names = {row.id: row.name for row in db.session.execute(statement)}
    for row in rows:
        row.organisation = names.get(row.organisation_id, "")
        if row.programme_id is None:
            row.offer = row.organisation
        else:
            row.offer = titles.get((row.programme_id, lang)) or titles.get((row.programme_id, "nl"), "")


def build_funnel(filters: FunnelFilters, lang: str) -> Funnel:
    """The funnel for `filters`: the cells of the fixed table that they choose, every small number hidden."""
    base = _base(filters)
    found = {}
    for kind in _GROUPS:
        found[kind] = _counted(base, kind)
        _add_medians(base, kind, found[kind])
    rows, route_maps, months = (sorted(found[kind].values(), key=_order) for kind in _GROUPS)
    _suppress(rows, route_maps, months)
    rows = [row for row in rows if _chosen(filters, row)]
    _label_offers(rows, lang)
    rows.sort(key=lambda row: (row.route_map is None, row.route_map or "", row.month, row.offer.casefold()))
    route_maps = [total for total in route_maps if _chosen(filters, total)]
    months = [total for total in months if filters.route_map is None and _chosen(filters, total)]
    return Funnel(filters, rows, route_maps, months)

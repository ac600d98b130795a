"""The funnel's filters: route map and month range, read from the query string; bad values give a code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from portal.config import TIMEZONE

ZONE = ZoneInfo(TIMEZONE)
DEFAULT_MONTHS = 12
MAX_MONTHS = 36
WITHOUT_ROUTE_MAP = "none"  # the filter value for referrals made without a route map
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class FunnelFilters:
    """Which figures the funnel shows: a route map (None: all; WITHOUT_ROUTE_MAP) and months first..last.

    `newest` is this month: the figures are worked out over the MAX_MONTHS months up to it, whatever the filters."""

    first: date
    last: date
    route_map: str | None = None
    newest: date = field(default_factory=lambda: this_month(datetime.now(UTC)))

    def months(self) -> list[date]:
        """The first day of every month from `first` to `last`."""
        result, month = [], self.first
        while month <= self.last:
            result.append(month)
            month = add_months(month, 1)
        return result

    def window(self) -> list[date]:
        """The first day of every month the figures are worked out over: MAX_MONTHS months up to `newest`."""
        return FunnelFilters(add_months(self.newest, 1 - MAX_MONTHS), self.newest).months()

    def as_args(self) -> dict[str, str]:
        """The filters as query-string values (for the CSV link)."""
        args = {"from": self.first.strftime("%Y-%m"), "to": self.last.strftime("%Y-%m")}
        if self.route_map:
            args["route_map"] = self.route_map
        return args


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after `month` (negative: before)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_start(month: date) -> datetime:
    """The moment the local month of `month` begins, in UTC."""
    return datetime(month.year, month.month, 1, tzinfo=ZONE).astimezone(UTC)


def this_month(now: datetime) -> date:
    """The first day of the local month of `now`."""
    local = now.astimezone(ZONE)
    return date(local.year, local.month, 1)


def _month(value: str | None) -> date | None | bool:
    """The month of 'YYYY-MM'; None when empty; False when it is not a month."""
    if value is None or not value.strip():
        return None
    match = _MONTH.match(value.strip())
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        return False
    return date(int(match.group(1)), int(match.group(2)), 1)


def _route_map(value: str | None, known: set[str], problems: list[str]) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value == WITHOUT_ROUTE_MAP or value in known:
        return value
    problems.append("bad_route_map")
    return None


def parse_filters(args: Mapping[str, str], known_route_maps: set[str], now: datetime) -> tuple[FunnelFilters, list]:
    """The filters from `args` (route_map, from, to as YYYY-MM) and the codes of the values that were ignored:
    bad_route_map, bad_from, bad_to, too_old (from before the MAX_MONTHS months up to this month: moved up to the
    first of them), reversed (from after to), too_long (more than MAX_MONTHS months).
    The default range is the last DEFAULT_MONTHS months up to this month."""
    problems: list[str] = []
    route_map = _route_map(args.get("route_map"), known_route_maps, problems)
    first, last = _month(args.get("from")), _month(args.get("to"))
    if first is False:
        problems.append("bad_from")
        first = None
    if last is False:
        problems.append("bad_to")
        last = None
    last = last or (add_months(first, DEFAULT_MONTHS - 1) if first else this_month(now))
    first = first or add_months(last, 1 - DEFAULT_MONTHS)
    newest = this_month(now)
    oldest = add_months(newest, 1 - MAX_MONTHS)
    if first < oldest:
        problems.append("too_old")
        first, last = oldest, max(last, oldest)
    if first > last:
        problems.append("reversed")
    elif (last.year - first.year) * 12 + last.month - first.month + 1 > MAX_MONTHS:
        problems.append("too_long")
    else:
        return FunnelFilters(first, last, route_map, newest), problems
    return FunnelFilters(add_months(newest, 1 - DEFAULT_MONTHS), newest, route_map, newest), problems

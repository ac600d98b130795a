"""Parse the social map's query string into filters, keeping note of what was ignored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from portal.models.programme import AUDIENCES, CATEGORIES

MAX_QUERY_LENGTH = 200
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS_OF_DAY = {"morning": (0, 12 * 60), "afternoon": (12 * 60, 17 * 60), "evening": (17 * 60, 24 * 60)}
COSTS = ("free", "paid")
REFERRALS = ("needed", "none")
SPOKEN_LANGUAGES = ("nl", "en", "tr", "ar", "fr", "de", "es", "pl", "so", "ti", "uk", "zgh", "ber")
MULTI_VALUE = {
    "category": CATEGORIES,
    "audience": AUDIENCES,
    "day": DAYS,
    "time": tuple(PARTS_OF_DAY),
    "language": SPOKEN_LANGUAGES,
}
SINGLE_VALUE = {"cost": COSTS, "referral": REFERRALS, "wheelchair": ("yes",)}
FILTER_NAMES = (*MULTI_VALUE, *SINGLE_VALUE)


@dataclass(frozen=True)
class ProgrammeFilters:
    """What the visitor asked for: a search text and zero or more filters."""

    q: str = ""
    category: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    day: tuple[str, ...] = ()
    time: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    cost: str | None = None
    referral: str | None = None
    wheelchair: str | None = None

    @property
    def active(self) -> bool:
        """True when anything narrows the list."""
        return bool(self.q or any(getattr(self, name) for name in FILTER_NAMES))

    def query_items(self) -> list[tuple[str, str]]:
        """The filters as query-string pairs, in a stable order (without page)."""
        items: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        for name in FILTER_NAMES:
            value = getattr(self, name)
            if isinstance(value, tuple):
                items.extend((name, v) for v in value)
            elif value:
                items.append((name, value))
        return items

    def query_string(self, **changes) -> str:
        """The query string of these filters; `changes` replace or (with None) drop filters."""
        items = [(k, v) for k, v in self.query_items() if k not in changes]
        for name, value in changes.items():
            if value is None:
                continue
            items.extend((name, v) for v in value) if isinstance(value, tuple | list) else items.append((name, value))
        return urlencode(items)

    def without(self, name: str, value: str | None = None) -> str:
        """The query string with one filter value (or the whole filter) removed."""
        current = getattr(self, name)
        if isinstance(current, tuple) and value is not None:
            remaining = tuple(v for v in current if v != value)
            return self.query_string(**{name: remaining or None})
        return self.query_string(**{name: None})


@dataclass
class ParsedFilters:
    """Filters plus the notices the visitor should see about their input."""

    filters: ProgrammeFilters
    ignored: list[tuple[str, str]] = field(default_factory=list)
    query_cut: bool = False


def parse_page(raw: str | None) -> int:
    """A page number from the query string; anything odd (0, -1, abc, huge) means page 1."""
    if raw and raw.isascii() and raw.isdigit() and len(raw) <= 6:
        return max(int(raw), 1)
    return 1


def parse_filters(args: Mapping) -> ParsedFilters:
    """Read filters from a MultiDict-like mapping; unknown values are dropped and reported."""
    ignored: list[tuple[str, str]] = []
    values: dict = {}
    getlist = args.getlist if hasattr(args, "getlist") else lambda key: [args[key]] if key in args else []
    for name, allowed in MULTI_VALUE.items():
        chosen = []
        for value in getlist(name):
            if value in allowed:
                if value not in chosen:
                    chosen.append(value)
            elif value != "":
                ignored.append((name, value[:40]))
        values[name] = tuple(sorted(chosen, key=allowed.index))
    for name, allowed in SINGLE_VALUE.items():
        given = [v for v in getlist(name) if v != ""]
        good = [v for v in given if v in allowed]
        ignored.extend((name, v[:40]) for v in given if v not in allowed)
        values[name] = good[0] if good else None
    q = " ".join((getlist("q") or [""])[0].split())
    query_cut = len(q) > MAX_QUERY_LENGTH
    if query_cut:
        q = q[:MAX_QUERY_LENGTH].rstrip()
    return ParsedFilters(ProgrammeFilters(q=q, **values), ignored, query_cut)

"""Dates and times for many moments at once, from the CLDR names read once per locale, not per call: the portal's
one engine for 'dinsdag 24 november, 10:00' (day_time), '1 december 2026, 10:00' (moment), 'woensdag 2 september
2026' (long_date) and '10:00' (clock).

Babel's format_datetime parses nothing twice, but it still walks its pattern and looks up the locale and the
time zone for every moment; a list of a hundred next sessions paid that a hundred times. These functions are the
engines of the template filters of the same names (template_helpers), and a page with a list takes a formatter
once and calls it per row. The text is Babel's for template_helpers.day_time_pattern and moment_pattern, the
locale's "full" date and HH:mm (tests/test_map_day_time.py and tests/test_long_date.py compare them)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_date_format
from flask_babel import get_timezone


@lru_cache(maxsize=8)
def _zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _zone() -> ZoneInfo:
    """The portal's time zone (Flask-Babel's) as a ZoneInfo: the same zone, but converted to in C, where pytz's
    own conversion is Python (some 4 µs a moment; a page of sessions converts dozens)."""
    return _zone_named(str(get_timezone()))


def _local(moment: datetime, zone) -> datetime:
    """`moment` in `zone`; a naive moment is UTC, as the database keeps them and as Flask-Babel reads them."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)


@lru_cache(maxsize=16)
def _names(locale: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Weekday names (Monday first), month names (January first) and the comma before the time."""
    cldr = Locale.parse(locale)
    days = tuple(cldr.days["format"]["wide"][day] for day in range(7))
    months = tuple(cldr.months["format"]["wide"][month] for month in range(1, 13))
    return days, months, "،" if locale == "ar" else ","


def day_time_formatter(locale: str) -> Callable[[datetime], str]:
    """A function giving a moment's weekday, day, month and time in `locale` and the portal's time zone."""
    days, months, comma = _names(locale)
    zone = _zone()

    def day_time(moment: datetime) -> str:
        local = _local(moment, zone)
        return (
            f"{days[local.weekday()]} {local.day} {months[local.month - 1]}{comma} {local.hour:02d}:{local.minute:02d}"
        )

    return day_time


def moment_formatter(locale: str) -> Callable[[datetime | None], str]:
    """A function giving a moment's day, month, year and time in `locale` and the portal's time zone; '—' for none."""
    _days, months, comma = _names(locale)
    zone = _zone()

    def moment_text(moment: datetime | None) -> str:
        if moment is None:
            return "—"
        local = _local(moment, zone)
        return f"{local.day} {months[local.month - 1]} {local.year}{comma} {local.hour:02d}:{local.minute:02d}"

    return moment_text


@lru_cache(maxsize=16)
def _full_date(locale: str) -> str:
    """Babel's "full" date pattern of `locale` as a %-format of its fields (weekday, day, month name, year)."""
    pattern = get_date_format("full", locale=locale)
    unknown = set(re.findall(r"%\((\w+)\)", pattern.format)) - {"EEEE", "d", "MMMM", "y"}
    if unknown:
        raise ValueError(f"{locale}: the full date has fields {sorted(unknown)} beyond weekday, day, month and year")
    return pattern.format


def long_date_formatter(locale: str) -> Callable[[date | datetime], str]:
    """A function giving a date's weekday, day, month and year in `locale`: Babel's "full" date (a moment's date
    in the portal's time zone, as the `long_date` filter gives it)."""
    days, months, _comma = _names(locale)
    pattern = _full_date(locale)
    zone = _zone()

    def long_date(day: date | datetime) -> str:
        if isinstance(day, datetime):
            day = _local(day, zone).date()
        return pattern % {"EEEE": days[day.weekday()], "d": day.day, "MMMM": months[day.month - 1], "y": day.year}

    return long_date


def _hour_minute(moment: datetime, zone) -> str:
    local = _local(moment, zone)
    return f"{local.hour:02d}:{local.minute:02d}"


def clock_text(moment: datetime) -> str:
    """'10:00': a moment's hour and minute in the portal's time zone (Babel's text for HH:mm)."""
    return _hour_minute(moment, _zone())


def clock_formatter() -> Callable[[datetime], str]:
    """`clock_text` with the time zone looked up once, for a page that shows many moments."""
    zone = _zone()
    return lambda moment: _hour_minute(moment, zone)


@dataclass(frozen=True)
class DateTexts:
    """The `moment` and `long_date` filters' texts for one locale, for a page to take once and use per row."""

    moment: Callable[[datetime | None], str]
    long_date: Callable[[date | datetime], str]


def date_texts(locale: str) -> DateTexts:
    """The formatters a page with many dates takes once (inboxes, threads)."""
    return DateTexts(moment=moment_formatter(locale), long_date=long_date_formatter(locale))

"""'dinsdag 24 november, 10:00' for many moments at once: the CLDR names read once per locale, not per call.

Babel's format_datetime parses nothing twice, but it still walks its pattern and looks up the locale and the
time zone for every moment; a list of a hundred next sessions paid that a hundred times. It is the `day_time`
filter's engine (template_helpers.format_day_time); the text is Babel's for template_helpers.day_time_pattern
(tests/test_map_day_time.py compares them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache

from babel import Locale
from flask_babel import get_timezone


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
    zone = get_timezone()

    def day_time(moment: datetime) -> str:
        local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
        return (
            f"{days[local.weekday()]} {local.day} {months[local.month - 1]}{comma} {local.hour:02d}:{local.minute:02d}"
        )

    return day_time


def clock_formatter() -> Callable[[datetime], str]:
    """A function giving a moment's time of day in the portal's time zone: Babel's 'HH:mm' (the `clock` filter)."""
    zone = get_timezone()

    def clock(moment: datetime) -> str:
        local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
        return f"{local.hour:02d}:{local.minute:02d}"

    return clock

"""Babel's text of many dates at once: a CLDR pattern and the locale's names read once per locale, not per date.

The `moment` and `long_date` filters call Babel for every date, which walks the pattern and looks up the locale and
the time zone each time (about 40 µs); a page of 25 threads showed 50 dates. A page takes `DateTexts` for its
language once and formats its dates with plain string work. The text is Babel's (tests/test_date_texts.py compares
them in every language; the local time from the system's zone data, which after 2037 knows summer time and Babel's
pytz does not); a pattern with a field this module does not know is left to Babel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import tokenize_pattern
from flask_babel import get_timezone

_NUMBERS = {"d": "day", "y": "year", "H": "hour", "m": "minute"}


def moment_pattern(locale: str) -> str:
    """The `moment` filter's pattern ('1 december 2026, 10:00'): Arabic takes its own comma."""
    return "d MMMM y، HH:mm" if locale == "ar" else "d MMMM y, HH:mm"


@lru_cache(maxsize=64)
def _parts(locale: str, pattern: str) -> tuple | None:
    """The pattern as literal texts and field getters on a local datetime; None when a field is not known here."""
    cldr = Locale.parse(locale)
    days = tuple(cldr.days["format"]["wide"][day] for day in range(7))
    months = tuple(cldr.months["format"]["wide"][month] for month in range(1, 13))
    parts = []
    for kind, value in tokenize_pattern(pattern):
        if kind == "chars":
            parts.append(value)
            continue
        char, width = value
        if char == "E" and width == 4:
            parts.append(lambda moment: days[moment.weekday()])
        elif char == "M" and width == 4:
            parts.append(lambda moment: months[moment.month - 1])
        elif char in _NUMBERS and not (char == "y" and width == 2):
            parts.append(lambda moment, name=_NUMBERS[char], width=width: f"{getattr(moment, name):0{width}d}")
        else:
            return None
    return tuple(parts)


def _formatter(locale: str, pattern: str, zone) -> Callable[[datetime], str]:
    parts = _parts(locale, pattern)
    if parts is None:
        return lambda moment: babel_format_datetime(moment, pattern, tzinfo=zone, locale=locale)
    local_zone = ZoneInfo(str(zone))  # Babel's pytz zone from the system's zone data (a C call, not pytz's Python)

    def format_one(moment: datetime) -> str:
        local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(local_zone)
        return "".join(part if isinstance(part, str) else part(local) for part in parts)

    return format_one


@dataclass(frozen=True)
class DateTexts:
    """The `moment` and `long_date` filters' texts for one locale and the request's time zone."""

    moment: Callable[[datetime], str]
    long_date: Callable[[datetime], str]


def date_texts(locale: str) -> DateTexts:
    """Formatters giving the same text as the `moment` and `long_date` filters in `locale` (call once per page)."""
    zone = get_timezone()
    moment = _formatter(locale, moment_pattern(locale), zone)
    return DateTexts(
        moment=lambda value: "—" if value is None else moment(value),
        long_date=_formatter(locale, Locale.parse(locale).date_formats["full"].pattern, zone),
    )

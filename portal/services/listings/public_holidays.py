"""Dutch public holidays from the maintained `holidays` library, named in the reader's language."""

from __future__ import annotations

from datetime import date

import holidays

COUNTRY = "NL"
# the library names Dutch holidays in these languages; the others read the English names
_NAMING = {"nl": "nl", "en": "en_US"}


def holiday_names(years, locale: str = "nl") -> dict[date, str]:
    """The Dutch public holidays of `years`, each with its name in `locale` (English when not available)."""
    calendar = holidays.country_holidays(COUNTRY, years=sorted(set(years)), language=_NAMING.get(locale, "en_US"))
    return dict(calendar.items())


def is_public_holiday(day: date) -> bool:
    """True when `day` is a Dutch public holiday."""
    return day in holidays.country_holidays(COUNTRY, years=day.year)


def public_holidays_among(days, locale: str = "nl") -> dict[date, str]:
    """Which of `days` are Dutch public holidays, with their names in `locale`."""
    days = list(days)
    if not days:
        return {}
    names = holiday_names({day.year for day in days}, locale)
    return {day: names[day] for day in days if day in names}

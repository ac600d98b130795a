"""Working days: the promised reply time of a team counts Monday to Friday, without Dutch public holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.config import TIMEZONE
from portal.services.listings.public_holidays import is_public_holiday

LOCAL = ZoneInfo(TIMEZONE)


def is_working_day(day: date) -> bool:
    """True from Monday to Friday, unless it is a Dutch public holiday."""
    return day.weekday() < 5 and not is_public_holiday(day)


def add_working_days(moment: datetime, days: int) -> datetime:
    """The end (23:59 local time) of the `days`-th working day after `moment`'s day."""
    day = moment.astimezone(LOCAL).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.combine(day, time(23, 59), tzinfo=LOCAL)


def working_days_back(moment: datetime, days: int) -> datetime:
    """The start (00:00 local time) of the `days`-th working day before `moment`'s day: a change made before it
    has seen no change for `days` working days."""
    day = moment.astimezone(LOCAL).date()
    counted = 0
    while counted < days:
        day -= timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.combine(day, time(0, 0), tzinfo=LOCAL)

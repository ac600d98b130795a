"""The demo's weekly sessions: their times in local time, one series per slot, and adding those not there yet."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.config import TIMEZONE
from portal.extensions import db
from portal.models import Programme, Session

SCHEDULE_WEEKS = 8


def session_times(slots, today: date, weeks: int = SCHEDULE_WEEKS):
    """Yield (start, end, capacity, slot) in UTC for each weekly slot from tomorrow on, for `weeks` weeks."""
    zone = ZoneInfo(TIMEZONE)
    for offset in range(1, weeks * 7 + 1):
        day = today + timedelta(days=offset)
        for slot in slots:
            weekday, start, minutes, capacity = slot
            if day.weekday() == weekday:
                local = datetime.combine(day, start, tzinfo=zone)
                yield local.astimezone(UTC), (local + timedelta(minutes=minutes)).astimezone(UTC), capacity, slot


def series_id(programme: Programme, slot) -> str:
    """The same series id for a weekly slot on every load, so sessions added a day later join their series."""
    weekday, start, _minutes, _capacity = slot
    return uuid.uuid5(uuid.NAMESPACE_URL, f"wijkportaal-demo:{programme.slug}:{weekday}:{start.isoformat()}").hex


def add_sessions(programme: Programme, slots, today: date) -> int:
    """Add the sessions of the coming weeks that are not there yet; return how many were added."""
    times = list(session_times(slots, today))
    if not times:
        return 0
    existing = set(
        db.session.scalars(
            select(Session.starts_at).where(
                Session.programme_id == programme.id, Session.starts_at >= min(t[0] for t in times)
            )
        )
    )
    added = 0
    for starts_at, ends_at, capacity, slot in times:
        if starts_at not in existing:
            db.session.add(
                Session(
                    programme=programme,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    capacity=capacity,
                    series_id=series_id(programme, slot),
                    is_demo=True,
                )
            )
            added += 1
    return added

"""The demo's weekly sessions: local times (public holidays skipped), one series per slot, adding new ones."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from portal.config import TIMEZONE
from portal.extensions import db
from portal.models import Programme, Session
from portal.services.listings.public_holidays import public_holidays_among

SCHEDULE_WEEKS = 8


def session_times(slots, today: date, weeks: int = SCHEDULE_WEEKS):
    """Yield (start, end, capacity, slot) in UTC for each weekly slot from tomorrow on, for `weeks` weeks.

    Dutch public holidays are left out, as the session planner does."""
    zone = ZoneInfo(TIMEZONE)
    days = [today + timedelta(days=offset) for offset in range(1, weeks * 7 + 1)]
    closed = public_holidays_among(days)
    for day in days:
        if day in closed:
            continue
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
    """Add the sessions of the coming weeks after the programme's last one; return how many were added.

    Only later days are added, so a session the beweegmakelaar moved, cancelled or deleted stays as they left it."""
    times = list(session_times(slots, today))
    if not times:
        return 0
    last = db.session.scalar(select(func.max(Session.starts_at)).where(Session.programme_id == programme.id))
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    added = 0
    for starts_at, ends_at, capacity, slot in times:
        if last is None or starts_at > last:
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

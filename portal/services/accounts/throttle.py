"""Attempt counters in the database: exact under concurrency, independent of Redis.

`take(key, limit, window)` counts one attempt and says whether it may go ahead. Each step is one
conditional UPDATE or one INSERT, so two workers can never both take the last attempt of a window:
the database decides, on SQLite and on PostgreSQL alike. Every call commits its own short transaction
on a separate connection, so a refused request that rolls back keeps its counted attempt."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.throttle import AuthThrottle


def _window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window `now` falls in (windows are aligned to the epoch)."""
    seconds = int(window.total_seconds())
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=now.tzinfo)


def _take_once(connection, key: str, limit: int, start: datetime) -> bool | None:
    """One try at counting: True taken, False refused, None lost an insert race (try again)."""
    table = AuthThrottle.__table__
    counted = connection.execute(
        update(table)
        .where(table.c.key == key, table.c.window_start == start, table.c.attempts < limit)
        .values(attempts=table.c.attempts + 1)
    )
    if counted.rowcount == 1:
        return True
    renewed = connection.execute(
        update(table).where(table.c.key == key, table.c.window_start < start).values(window_start=start, attempts=1)
    )
    if renewed.rowcount == 1:
        return True
    row = connection.execute(select(table.c.window_start, table.c.attempts).where(table.c.key == key)).first()
    if row is not None:
        # At the limit: refused. Otherwise another request made or renewed the row after our UPDATEs: count again.
        return False if row.window_start >= start and row.attempts >= limit else None
    try:
        with connection.begin_nested():
            connection.execute(insert(table).values(key=key, window_start=start, attempts=1))
    except IntegrityError:
        return None
    return True


def take(key: str, limit: int, window: timedelta, now: datetime | None = None) -> bool:
    """Count one attempt for `key`; False once `limit` attempts were counted in the current window."""
    start = _window_start(now or utcnow(), window)
    with db.engine.connect() as connection:
        for _try in range(5):
            with connection.begin():
                taken = _take_once(connection, key[:200], limit, start)
            if taken is not None:
                return taken
    return False


def used(key: str, window: timedelta, now: datetime | None = None) -> int:
    """How many attempts `key` made in the current window."""
    start = _window_start(now or utcnow(), window)
    row = db.session.execute(select(AuthThrottle).where(AuthThrottle.key == key[:200])).scalar_one_or_none()
    return row.attempts if row is not None and row.window_start >= start else 0


def clear(key: str) -> None:
    """Forget the attempts of `key` (after a success), in the caller's transaction."""
    db.session.execute(delete(AuthThrottle).where(AuthThrottle.key == key[:200]))


def forget_matching(pattern: str) -> None:
    """Delete the counters whose key matches the SQL LIKE `pattern`, in the caller's transaction."""
    db.session.execute(delete(AuthThrottle).where(AuthThrottle.key.like(pattern)))


def purge(older_than: timedelta = timedelta(days=1), now: datetime | None = None) -> int:
    """Delete counters whose window ended long ago; returns how many."""
    cutoff = (now or utcnow()) - older_than
    result = db.session.execute(delete(AuthThrottle).where(AuthThrottle.window_start < cutoff))
    return result.rowcount

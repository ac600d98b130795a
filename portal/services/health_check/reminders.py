"""Reminders to fill in the health check again: the resident's interval, when one is due, and the content-free mail."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from portal.extensions import db
from portal.links import external_url
from portal.models import HealthCheckReminder, User
from portal.models.base import utcnow
from portal.services.mail import send_mail

# The intervals a resident can choose, in weeks: about every month, every two months, every quarter.
INTERVALS = (4, 8, 13)


class ReminderError(ValueError):
    """An interval the resident cannot choose."""


def of(resident: User) -> HealthCheckReminder | None:
    """The resident's reminder, or None when they want none."""
    return db.session.get(HealthCheckReminder, resident.id)


def choose(resident: User, every_weeks: int, now: datetime | None = None) -> HealthCheckReminder:
    """Remind the resident every `every_weeks` weeks (one of INTERVALS), the first time that long from now."""
    if every_weeks not in INTERVALS:
        raise ReminderError(every_weeks)
    now = now or utcnow()
    reminder = of(resident) or HealthCheckReminder(resident_id=resident.id)
    reminder.every_weeks = every_weeks
    reminder.next_at = now + timedelta(weeks=every_weeks)
    db.session.add(reminder)
    db.session.flush()
    return reminder


def stop(resident: User) -> bool:
    """No more reminders for the resident; True when there was one."""
    result = db.session.execute(
        delete(HealthCheckReminder)
        .where(HealthCheckReminder.resident_id == resident.id)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1


def check_filled_in(resident: User, taken_at: datetime) -> None:
    """A check was filled in: the next reminder comes a full interval after it, not sooner."""
    reminder = of(resident)
    if reminder is not None:
        reminder.next_at = max(reminder.next_at, taken_at + timedelta(weeks=reminder.every_weeks))


def _due_condition(now: datetime):
    """Due, and the resident can still be mailed."""
    active = select(User.id).where(User.role == "resident", User.is_active_account.is_(True), User.deleted_at.is_(None))
    return (HealthCheckReminder.next_at <= now) & HealthCheckReminder.resident_id.in_(active)


def due(now: datetime | None = None) -> list[int]:
    """The ids of the residents whose reminder is due at `now`."""
    statement = select(HealthCheckReminder.resident_id).where(_due_condition(now or utcnow()))
    return list(db.session.scalars(statement.order_by(HealthCheckReminder.resident_id)))


def _claim(resident_id: int, every_weeks: int, now: datetime) -> bool:
    """Move the reminder on (one statement, only while it is still due): True when this run got it."""
    claimed = db.session.execute(
        update(HealthCheckReminder)
        .where((HealthCheckReminder.resident_id == resident_id) & _due_condition(now))
        .values(next_at=now + timedelta(weeks=every_weeks), sent_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def send_due(now: datetime | None = None) -> int:
    """For cron: mail each resident whose reminder is due, once, in their language, without any health data.

    The claim and the mail commit together, per resident: two runs at once mail once. An address that cannot be
    mailed leaves the reminder due for the next run. Returns the reminders sent."""
    now = now or utcnow()
    sent = 0
    for resident_id in due(now):
        reminder = db.session.get(HealthCheckReminder, resident_id)
        if reminder is None or not _claim(resident_id, reminder.every_weeks, now):
            db.session.rollback()
            continue
        resident = db.session.get(User, resident_id)
        link = external_url("health_check.index", lang=resident.locale)
        if not send_mail(resident.email, resident.locale, "health_check_reminder", link=link):
            db.session.rollback()
            continue
        db.session.commit()
        sent += 1
    return sent

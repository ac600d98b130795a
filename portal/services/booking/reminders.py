"""Reminders of booked places, a day before: which are due, and claiming each once (safe to run twice)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Booking, Session
from portal.models.base import utcnow

REMINDER_BEFORE = timedelta(hours=24)


def due(now: datetime | None = None) -> list[int]:
    """Ids of confirmed bookings whose session starts within 24 hours and that had no reminder yet."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Booking.id)
            .join(Booking.session)
            .where(
                Booking.status == "confirmed",
                Booking.reminder_sent_at.is_(None),
                Session.status == "scheduled",
                Session.starts_at > now,
                Session.starts_at <= now + REMINDER_BEFORE,
            )
            .order_by(Session.starts_at, Booking.id)
        )
    )


def claim(booking_id: int, now: datetime | None = None) -> bool:
    """Mark the reminder as sent, unless another run did already; True when this run should send it."""
    result = db.session.execute(
        update(Booking)
        .where(Booking.id == booking_id, Booking.reminder_sent_at.is_(None), Booking.status == "confirmed")
        .values(reminder_sent_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release(booking_id: int) -> None:
    """The mail could not be sent: let the next run try again."""
    db.session.execute(
        update(Booking)
        .where(Booking.id == booking_id)
        .values(reminder_sent_at=None)
        .execution_options(synchronize_session=False)
    )

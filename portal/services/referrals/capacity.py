"""Whether an offer has room before a referral is sent: free places in coming sessions, or the waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Booking, Programme, Session
from portal.models.base import utcnow

HORIZON = timedelta(days=90)


@dataclass(frozen=True)
class Room:
    """The room an offer has in its sessions of the coming 90 days.

    `answer` follows the Gravity guide's capacity check: 'yes' (free places), 'waitlist' (sessions, all full)
    or 'no_sessions' (nothing planned: the team makes an appointment with the resident)."""

    answer: str
    free_places: int
    sessions_with_room: int
    next_free_at: datetime | None
    waiting: int
    sessions: int


def room_for(programme: Programme | None, now: datetime | None = None) -> Room | None:
    """The room in the programme's coming sessions; None for a referral to an organisation without a programme."""
    if programme is None:
        return None
    now = now or utcnow()
    coming = (
        Session.programme_id == programme.id,
        Session.status == "scheduled",
        Session.starts_at > now,
        Session.starts_at <= now + HORIZON,
    )
    has_room = Session.booked < Session.capacity
    waiting = (
        select(func.count(Booking.id))
        .join(Session, Session.id == Booking.session_id)
        .where(Booking.status == "waitlisted", *coming)
        .scalar_subquery()
    )  # in the same statement: one round trip for the page
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Session.capacity - Session.booked).filter(has_room), 0),
            func.count().filter(has_room),
            func.min(Session.starts_at).filter(has_room),
            waiting,
        ).where(*coming)
    ).one()
    sessions, free, with_room, next_free, waiting = row
    answer = "yes" if free > 0 else ("waitlist" if sessions else "no_sessions")
    return Room(answer, int(free), int(with_room), next_free, int(waiting or 0), int(sessions))

"""Whether an offer has room before a referral is sent: free places in coming sessions, or the waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, func, select

from portal.extensions import db
from portal.models import Booking, Programme, Session
from portal.models.base import UTCDateTime, utcnow

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


@cache
def _room_statement():
    """The room in a programme's coming sessions, in one statement built once (programme and window bound)."""
    coming = (
        Session.programme_id == bindparam("programme_id"),
        Session.status == "scheduled",
        Session.starts_at > bindparam("now", type_=UTCDateTime),
        Session.starts_at <= bindparam("until", type_=UTCDateTime),
    )
    has_room = Session.booked < Session.capacity
    waiting = (
        select(func.count(Booking.id))
        .join(Session, Session.id == Booking.session_id)
        .where(Booking.status == "waitlisted", *coming)
        .scalar_subquery()
    )  # in the same statement: one round trip for the page
    return select(
        func.count(),
        func.coalesce(func.sum(Session.capacity - Session.booked).filter(has_room), 0),
        func.count().filter(has_room),
        func.min(Session.starts_at).filter(has_room),
        waiting,
    ).where(*coming)


def room_for(programme: Programme | None, now: datetime | None = None) -> Room | None:
    """The room in the programme's coming sessions; None for a referral to an organisation without a programme."""
    if programme is None:
        return None
    now = now or utcnow()
    values = {"programme_id": programme.id, "now": now, "until": now + HORIZON}
    sessions, free, with_room, next_free, waiting = db.session.execute(_room_statement(), values).one()
    answer = "yes" if free > 0 else ("waitlist" if sessions else "no_sessions")
    return Room(answer, int(free), int(with_room), next_free, int(waiting or 0), int(sessions))

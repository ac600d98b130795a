"""Reading bookings: a resident's own, a session's participants, waiting-list places and counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from portal.extensions import db
from portal.models import Booking, Programme, Session, User
from portal.models.base import utcnow


def active_bookings(user: User, session_ids: list[int]) -> dict[int, Booking]:
    """The resident's confirmed or waitlisted bookings among these sessions, by session id."""
    if not session_ids:
        return {}
    rows = db.session.scalars(
        select(Booking).where(
            Booking.user_id == user.id, Booking.session_id.in_(session_ids), Booking.status != "cancelled"
        )
    )
    return {row.session_id: row for row in rows}


def active_booking(user: User, session_id: int) -> Booking | None:
    """The resident's confirmed or waitlisted booking of the session, if any."""
    return active_bookings(user, [session_id]).get(session_id)


def user_bookings(user: User, *conditions) -> list[Booking]:
    """The resident's bookings that meet `conditions`, in time order."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .where(Booking.user_id == user.id, *conditions)
            .options(
                contains_eager(Booking.session).selectinload(Session.programme).selectinload(Programme.translations)
            )
            .order_by(Session.starts_at, Booking.id)
        )
    )


def overlapping(user: User, session: Session) -> list[Booking]:
    """The resident's active bookings of other sessions that overlap this one in time (a warning, not a block)."""
    return user_bookings(
        user,
        Booking.status != "cancelled",
        Booking.session_id != session.id,
        Session.status == "scheduled",
        Session.starts_at < session.ends_at,
        Session.ends_at > session.starts_at,
    )


def bookings_of(user: User, now: datetime | None = None) -> tuple[list[Booking], list[Booking]]:
    """The resident's bookings: (upcoming, soonest first; past or cancelled, newest first)."""
    now = now or utcnow()
    rows = user_bookings(user)
    upcoming = [b for b in rows if b.is_active and b.session.ends_at > now and b.session.status == "scheduled"]
    shown = {b.id for b in upcoming}
    past = [b for b in reversed(rows) if b.id not in shown]
    return upcoming, past


def feed_bookings(user: User, now: datetime | None = None, past_days: int = 30) -> list[Booking]:
    """The confirmed places for a resident's calendar feed: from a month ago on, in time order."""
    now = now or utcnow()
    return user_bookings(
        user,
        Booking.status == "confirmed",
        Session.status == "scheduled",
        Session.starts_at >= now - timedelta(days=past_days),
    )


def participants(session: Session) -> list[Booking]:
    """Who booked the session: confirmed places first, then the waiting list in its order."""
    rows = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session.id, Booking.status != "cancelled")
        .options(selectinload(Booking.user))
        .order_by(Booking.created_at, Booking.id)
    )
    rows = list(rows)
    return [b for b in rows if b.status == "confirmed"] + [b for b in rows if b.status == "waitlisted"]


def queue_position(booking: Booking) -> int:
    """The 1-based place of a waitlisted booking in its session's queue."""
    earlier = db.session.scalar(
        select(db.func.count())
        .select_from(Booking)
        .where(
            Booking.session_id == booking.session_id,
            Booking.status == "waitlisted",
            (Booking.created_at < booking.created_at)
            | ((Booking.created_at == booking.created_at) & (Booking.id < booking.id)),
        )
    )
    return (earlier or 0) + 1


def waitlist_counts(session_ids: list[int]) -> dict[int, int]:
    """How many are on the waiting list of each session."""
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(Booking.session_id, db.func.count())
        .where(Booking.session_id.in_(session_ids), Booking.status == "waitlisted")
        .group_by(Booking.session_id)
    )
    return dict(rows.all())

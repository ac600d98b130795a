"""The booking engine: places in sessions and appointment slots, the waiting list, cancellations.

Every change runs with the session's row locked (PostgreSQL: SELECT ... FOR UPDATE; SQLite: BEGIN
IMMEDIATE, as SQLite ignores FOR UPDATE), and the place counter only moves by conditional UPDATEs that
the database checks against the capacity. The caller commits, then sends the mails."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, select, update

from portal.extensions import db
from portal.models import Booking, Session, User
from portal.models.base import utcnow
from portal.services.booking.queries import active_booking, participants
from portal.services.messaging.care_relations import active_relation

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class BookingError(ValueError):
    """Raised when a booking cannot be made or changed; `code` says why (see routes.booking.MESSAGES)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class BookingResult:
    """What `book` did: the booking, and whether this request made it (False: a repeat or an existing one)."""

    booking: Booking
    created: bool


@dataclass
class Cancellation:
    """A cancelled booking and the waiting-list bookings that got its place."""

    booking: Booking
    promoted: list[Booking] = field(default_factory=list)


def for_change(statement: Select) -> Select:
    """A SELECT of sessions about to change, holding the rows (PostgreSQL) or the write lock (SQLite) until commit."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    return statement.with_for_update().execution_options(populate_existing=True)


def lock_session(session_id: int) -> Session | None:
    """Load the session for a change, holding its row (PostgreSQL) or the write lock (SQLite) until commit."""
    return db.session.scalar(for_change(select(Session).where(Session.id == session_id)))


def why_not_bookable(session: Session | None, now: datetime | None = None, user: User | None = None) -> str | None:
    """None when `user` (a resident) may book the session, else the reason's code.

    A care team's consult slots (programme status care_team) exist only for residents in its care."""
    now = now or utcnow()
    if session is None or session.programme.status not in ("published", "care_team"):
        return "not_found"
    if session.programme.status == "care_team" and (
        user is None or active_relation(user.id, session.programme.organisation_id) is None
    ):
        return "not_found"
    if session.status != "scheduled":
        return "cancelled"
    if session.starts_at <= now:
        return "past"
    return None


def valid_key(key: str | None) -> bool:
    """True for a form's idempotency key (16 to 64 URL-safe characters)."""
    return bool(key) and IDEMPOTENCY_KEY.fullmatch(key) is not None


def _take_place(session_id: int) -> bool:
    """Add one to the session's booked places unless it is full or cancelled; True when a place was taken."""
    result = db.session.execute(
        update(Session)
        .where(Session.id == session_id, Session.booked < Session.capacity, Session.status == "scheduled")
        .values(booked=Session.booked + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_place(session_id: int) -> None:
    db.session.execute(
        update(Session)
        .where(Session.id == session_id, Session.booked > 0)
        .values(booked=Session.booked - 1)
        .execution_options(synchronize_session=False)
    )


def book(user: User, session_id: int, key: str, now: datetime | None = None) -> BookingResult:
    """Book a place for a resident, or a place on the waiting list when the session is full.

    A repeated key returns the booking it made (a double click books once); an existing active booking
    is returned as it is. Raises BookingError: not_resident, bad_key, not_found, cancelled, past."""
    now = now or utcnow()
    if user.role != "resident":
        raise BookingError("not_resident")
    if not valid_key(key):
        raise BookingError("bad_key")
    session = lock_session(session_id)
    repeat = db.session.scalar(select(Booking).where(Booking.user_id == user.id, Booking.idempotency_key == key))
    if repeat is not None:
        return BookingResult(repeat, created=False)
    existing = active_booking(user, session_id)
    if existing is not None:
        return BookingResult(existing, created=False)
    reason = why_not_bookable(session, now, user)
    if reason:
        raise BookingError(reason)
    booking = Booking(session_id=session_id, user_id=user.id, status="waitlisted", idempotency_key=key, created_at=now)
    db.session.add(booking)
    db.session.flush()
    if _take_place(session_id):
        booking.status, booking.confirmed_at = "confirmed", now
    db.session.flush()
    db.session.refresh(session)
    return BookingResult(booking, created=True)


def cancel_deadline(session: Session) -> datetime:
    """Until when a resident may cancel a confirmed place (the organiser's cut-off before the start)."""
    return session.starts_at - timedelta(minutes=session.programme.cancel_cutoff_minutes)


def may_cancel(booking: Booking, now: datetime | None = None) -> bool:
    """True when the resident may still cancel: a queue place always, a confirmed place until the cut-off."""
    now = now or utcnow()
    if booking.status == "waitlisted":
        return booking.session.starts_at > now
    return booking.status == "confirmed" and now < cancel_deadline(booking.session)


def cancel(booking: Booking, by: str = "resident", now: datetime | None = None) -> Cancellation:
    """Cancel a booking; a freed place goes to the first on the waiting list.

    Raises BookingError: already_cancelled, too_late (a resident after the cut-off)."""
    now = now or utcnow()
    lock_session(booking.session_id)
    db.session.refresh(booking)
    if booking.status == "cancelled":
        raise BookingError("already_cancelled")
    if by == "resident" and not may_cancel(booking, now):
        raise BookingError("too_late")
    held_place = booking.status == "confirmed"
    booking.status, booking.cancelled_at, booking.cancelled_by = "cancelled", now, by
    db.session.flush()
    promoted = []
    if held_place:
        _free_place(booking.session_id)
        promoted = fill_places(booking.session_id, now)
    return Cancellation(booking, promoted)


def fill_places(session_id: int, now: datetime | None = None) -> list[Booking]:
    """Give free places to the waiting list, first come first served; returns the bookings promoted."""
    now = now or utcnow()
    session = lock_session(session_id)
    promoted: list[Booking] = []
    if session is None or session.status != "scheduled" or session.starts_at <= now:
        return promoted
    while True:
        first = db.session.scalar(
            select(Booking)
            .where(Booking.session_id == session_id, Booking.status == "waitlisted")
            .order_by(Booking.created_at, Booking.id)
            .limit(1)
        )
        if first is None or not _take_place(session_id):
            break
        first.status, first.confirmed_at = "confirmed", now
        db.session.flush()
        promoted.append(first)
    db.session.refresh(session)
    return promoted


def cancel_session_bookings(session: Session, now: datetime | None = None) -> list[Booking]:
    """The organiser cancelled the session: cancel every active booking of it; returns them (to tell)."""
    now = now or utcnow()
    lock_session(session.id)
    bookings = list(
        db.session.scalars(
            select(Booking).where(Booking.session_id == session.id, Booking.status != "cancelled").order_by(Booking.id)
        )
    )
    for booking in bookings:
        booking.status, booking.cancelled_at, booking.cancelled_by = "cancelled", now, "organiser"
    db.session.execute(
        update(Session).where(Session.id == session.id).values(booked=0).execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.refresh(session)
    return bookings


@dataclass
class SessionNotices:
    """Whom to mail after sessions changed: bookings cancelled with their session, promoted, or moved."""

    cancelled: list[Booking] = field(default_factory=list)
    promoted: list[Booking] = field(default_factory=list)
    moved: list[Booking] = field(default_factory=list)


def settle_changed_sessions(
    cancelled: Iterable[Session] = (), changed: Iterable[Session] = (), moved: Iterable[Session] = ()
) -> SessionNotices:
    """Bring bookings in line with an organiser's change of sessions; returns whom to mail after commit.

    Cancelled sessions lose their bookings; changed ones give new places to their waiting list; the
    residents of moved ones are told the new time (unless they were just promoted and hear it then)."""
    notices = SessionNotices()
    for session in cancelled:
        notices.cancelled += cancel_session_bookings(session)
    for session in changed:
        notices.promoted += fill_places(session.id)
    promoted = {booking.id for booking in notices.promoted}
    for session in moved:
        notices.moved += [booking for booking in participants(session) if booking.id not in promoted]
    return notices


def withdraw_all(user: User, now: datetime | None = None) -> list[Booking]:
    """Cancel every active booking of a resident whose account is erased; returns who got a place."""
    now = now or utcnow()
    promoted: list[Booking] = []
    for booking in list(
        db.session.scalars(select(Booking).where(Booking.user_id == user.id, Booking.status != "cancelled"))
    ):
        promoted += cancel(booking, by="erasure", now=now).promoted
    return promoted

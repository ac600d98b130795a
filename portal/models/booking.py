"""Bookings of places in sessions (and appointment slots), and residents' personal calendar feeds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.programme import Session
from portal.models.user import User

ACTIVE = text("status <> 'cancelled'")


class Booking(Base):
    """One resident's place in a session (confirmed), their place in its queue (waitlisted), or a cancelled one.

    The database keeps the rules: at most one active booking per resident and session (a partial unique
    index), one booking per form submission (the idempotency key), and the session's `booked` counter,
    changed only by conditional updates, never above its capacity (a check constraint)."""

    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(20))
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[Session] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name="status_known"),
        CheckConstraint(
            "cancelled_by IS NULL OR cancelled_by IN ('resident', 'organiser', 'erasure')", name="cancelled_by_known"
        ),
        CheckConstraint("status <> 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled_has_time"),
        UniqueConstraint("user_id", "idempotency_key", name="uq_bookings_user_id_idempotency_key"),
        Index(
            "uq_bookings_active_session_user",
            "session_id",
            "user_id",
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        ),
        Index("ix_bookings_queue", "session_id", "status", "created_at", "id"),
    )

    @property
    def is_active(self) -> bool:
        """True while the booking holds a place or a place in the queue."""
        return self.status != "cancelled"


class CalendarFeed(Base):
    """A resident's personal calendar feed: only the hash of its secret token is kept."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

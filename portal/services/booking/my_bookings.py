"""The lines of a resident's "my appointments" page: coming bookings soonest first, past ones newest first, paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, bindparam, func, not_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Booking, ProgrammeText, Session, User
from portal.models.base import UTCDateTime, utcnow

PAGE_SIZE = 20  # bookings on a page of either list
PAST_PREVIEW = 5  # past bookings shown under the coming ones; the rest is behind a link


@dataclass(frozen=True)
class BookingLine:
    """One booking as the list shows it: when, what (in the reader's language or Dutch), and its status."""

    id: int
    status: str
    cancelled_by: str | None
    starts_at: datetime
    title: str
    title_locale: str


@dataclass(frozen=True)
class BookingPage:
    """A page of one of the lists, and whether a next page exists."""

    lines: list[BookingLine]
    page: int
    more: bool


def _statement(coming: bool):
    """The query of a page of one list, built once: the user, language, moment, size and offset are parameters."""
    local, dutch = aliased(ProgrammeText), aliased(ProgrammeText)
    holds_place = and_(
        Booking.status != "cancelled",
        Session.status == "scheduled",
        Session.ends_at > bindparam("now", type_=UTCDateTime),
    )
    if coming:
        condition, order = holds_place, (Session.starts_at, Booking.id)
    else:
        condition, order = not_(holds_place), (Session.starts_at.desc(), Booking.id.desc())
    return (
        select(
            Booking.id,
            Booking.status,
            Booking.cancelled_by,
            Session.starts_at,
            func.coalesce(local.title, dutch.title),
            func.coalesce(local.locale, "nl"),
        )
        .join(Session, Session.id == Booking.session_id)
        .outerjoin(local, (local.programme_id == Session.programme_id) & (local.locale == bindparam("lang")))
        .outerjoin(dutch, (dutch.programme_id == Session.programme_id) & (dutch.locale == "nl"))
        .where(Booking.user_id == bindparam("user_id"), condition)
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


# Built once per process (a query's shape never changes): building it costs more than running it.
_STATEMENTS = {True: _statement(coming=True), False: _statement(coming=False)}


def _page(user: User, lang: str, coming: bool, page: int, size: int, now: datetime | None) -> BookingPage:
    """One page of the resident's coming (or past and cancelled) bookings: one query whatever their number."""
    page = max(page, 1)
    values = {"user_id": user.id, "lang": lang, "now": now or utcnow(), "limit": size + 1, "offset": (page - 1) * size}
    rows = db.session.connection().execute(_STATEMENTS[coming], values).all()  # plain rows: no ORM step needed
    return BookingPage([BookingLine(*row) for row in rows[:size]], page, len(rows) > size)


def coming(user: User, lang: str, page: int = 1, now: datetime | None = None) -> BookingPage:
    """A page of the bookings that still hold a place or a waiting-list place, soonest first."""
    return _page(user, lang, True, page, PAGE_SIZE, now)


def past(user: User, lang: str, page: int = 1, size: int = PAGE_SIZE, now: datetime | None = None) -> BookingPage:
    """A page of the past and cancelled bookings, newest first."""
    return _page(user, lang, False, page, size, now)

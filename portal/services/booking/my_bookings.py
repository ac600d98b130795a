"""The lines of a resident's "my appointments" page: coming bookings soonest first, past ones newest first, paged,
and whether the resident has a calendar feed, in one statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, bindparam, exists, func, literal, not_, null, select, union_all
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Booking, CalendarFeed, ProgrammeText, Session, User
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


@dataclass(frozen=True)
class Appointments:
    """What the page shows: a page of the coming bookings, a page of the past ones, and whether a feed exists."""

    coming: BookingPage
    past: BookingPage
    has_feed: bool


def _lines(coming: bool):
    """A page of one list, as a subquery: its rows are marked with the list's name, its size and offset are bound as
    `coming_limit`, `coming_offset` (or `past_…`); the user, language and moment are parameters."""
    name = "coming" if coming else "past"
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
            literal(name).label("list"),
            Booking.id,
            Booking.status,
            Booking.cancelled_by,
            Session.starts_at,
            func.coalesce(local.title, dutch.title).label("title"),
            func.coalesce(local.locale, "nl").label("title_locale"),
        )
        .join(Session, Session.id == Booking.session_id)
        .outerjoin(local, (local.programme_id == Session.programme_id) & (local.locale == bindparam("lang")))
        .outerjoin(dutch, (dutch.programme_id == Session.programme_id) & (dutch.locale == "nl"))
        .where(Booking.user_id == bindparam("user_id"), condition)
        .order_by(*order)
        .limit(bindparam(f"{name}_limit", type_=Integer))
        .offset(bindparam(f"{name}_offset", type_=Integer))
        .subquery(name)
    )


def _statement():
    """Both pages, and a row marked "feed" when the resident has a calendar feed, in one statement."""
    feed = select(literal("feed"), null(), null(), null(), null(), null(), null()).where(
        exists().where(CalendarFeed.user_id == bindparam("user_id"))
    )
    return union_all(select(_lines(coming=True)), select(_lines(coming=False)), feed)


# Built once per process (a query's shape never changes): building it costs more than running it.
_STATEMENT = _statement()


def _bounds(name: str, page: int, size: int) -> dict:
    """The size and offset of a page of `size` lines (one more is read, to know whether a next page exists)."""
    return {f"{name}_limit": size + 1, f"{name}_offset": (page - 1) * size}


def _page(rows: list, page: int, size: int, newest_first: bool) -> BookingPage:
    """A page from its rows, in the list's order (a UNION does not promise to keep each part's order)."""
    rows.sort(key=lambda row: (row.starts_at, row.id), reverse=newest_first)
    return BookingPage([BookingLine(*row[1:]) for row in rows[:size]], page, len(rows) > size)


def appointments(user: User, lang: str, page: int = 1, past_page: int = 0, now: datetime | None = None) -> Appointments:
    """A page of the bookings that still hold a place or a waiting-list place (soonest first), a page of the past
    and cancelled ones (newest first; `past_page` 0 gives the latest PAST_PREVIEW), and whether the resident has a
    calendar feed: one query whatever the number of bookings."""
    page, past_size = max(page, 1), PAGE_SIZE if past_page > 0 else PAST_PREVIEW
    past_page = max(past_page, 1)
    values = {"user_id": user.id, "lang": lang, "now": now or utcnow()}
    values |= _bounds("coming", page, PAGE_SIZE) | _bounds("past", past_page, past_size)
    lists = {"coming": [], "past": [], "feed": []}
    for row in db.session.connection().execute(_STATEMENT, values):  # plain rows: no ORM step needed
        lists[row.list].append(row)
    return Appointments(
        coming=_page(lists["coming"], page, PAGE_SIZE, newest_first=False),
        past=_page(lists["past"], past_page, past_size, newest_first=True),
        has_feed=bool(lists["feed"]),
    )

"""The broker's dashboard: a page of programmes with their figures, and counts of what needs attention, by SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Date, Integer, bindparam, case, func, or_, select

from portal.extensions import db
from portal.models import Organisation, Programme, ProgrammeText, Session
from portal.models.base import UTCDateTime, utcnow
from portal.services.listings.editing import FLAG_AFTER_DAYS

PAGE_SIZE = 25


@dataclass(frozen=True)
class DashboardRow:
    """One programme on the dashboard: its Dutch title and the figures of its coming sessions."""

    id: int
    title: str
    status: str
    last_verified_on: date | None
    next_start: datetime | None
    upcoming_sessions: int
    booked: int
    needs_check: bool


@dataclass(frozen=True)
class Summary:
    """How many programmes the dashboard has, how many were not checked for FLAG_AFTER_DAYS days, and the name of
    the organisation whose programmes they are (None for a coordinator's dashboard of all)."""

    programmes: int
    to_check: int
    organisation_name: str | None = None

    def pages(self, page_size: int = PAGE_SIZE) -> int:
        """How many pages the programme list has (at least one)."""
        return max((self.programmes + page_size - 1) // page_size, 1)


def _page_statement(of_organisation: bool):
    """A page of programmes (published first, then by slug), their Dutch titles and the figures of their coming
    sessions, in one statement built once per process; organisation, moment, size and offset are parameters."""
    unpublished = (Programme.status != "published").label("unpublished")
    page = select(Programme.id, Programme.slug, unpublished, Programme.status, Programme.last_verified_on)
    if of_organisation:
        page = page.where(Programme.organisation_id == bindparam("organisation_id"))
    page = (
        page.order_by(unpublished, Programme.slug)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery()
    )
    coming = (
        select(
            Session.programme_id,
            func.min(Session.starts_at).label("first"),
            func.count().label("sessions"),
            func.coalesce(func.sum(Session.booked), 0).label("booked"),
        )
        .where(
            Session.programme_id.in_(select(page.c.id)),
            Session.status == "scheduled",
            Session.starts_at >= bindparam("now", type_=UTCDateTime),
        )
        .group_by(Session.programme_id)
        .subquery()
    )
    return (
        select(
            page.c.id,
            ProgrammeText.title,
            page.c.status,
            page.c.last_verified_on,
            coming.c.first,
            func.coalesce(coming.c.sessions, 0),
            func.coalesce(coming.c.booked, 0),
        )
        .outerjoin(ProgrammeText, (ProgrammeText.programme_id == page.c.id) & (ProgrammeText.locale == "nl"))
        .outerjoin(coming, coming.c.programme_id == page.c.id)
        .order_by(page.c.unpublished, page.c.slug)
    )


def _summary_statement(of_organisation: bool):
    """The number of programmes and of those not checked since the `cutoff` date, and the organisation's name (so
    the page need not load the organisation), built once per process."""
    cutoff = bindparam("cutoff", type_=Date)
    unchecked = or_(Programme.last_verified_on.is_(None), Programme.last_verified_on <= cutoff)
    statement = select(func.count(Programme.id), func.coalesce(func.sum(case((unchecked, 1), else_=0)), 0))
    if not of_organisation:
        return statement
    name = select(Organisation.name).where(Organisation.id == bindparam("organisation_id")).scalar_subquery()
    return statement.add_columns(name).where(Programme.organisation_id == bindparam("organisation_id"))


@dataclass(frozen=True)
class NextSession:
    """A coming session on the dashboard: when, of which programme, and how full."""

    programme_id: int
    title: str
    starts_at: datetime
    booked: int
    capacity: int


def _next_statement(of_organisation: bool):
    """The first coming scheduled sessions, with the Dutch titles of their programmes, built once. The titles are
    joined to those few sessions only: joined before the sort, every coming session cost a look-up."""
    first = (
        select(Session.id, Session.programme_id, Session.starts_at, Session.booked, Session.capacity)
        .join(Programme, Programme.id == Session.programme_id)
        .where(Session.status == "scheduled", Session.starts_at >= bindparam("now", type_=UTCDateTime))
        .order_by(Session.starts_at, Session.id)
        .limit(bindparam("limit", type_=Integer))
    )
    if of_organisation:
        first = first.where(Programme.organisation_id == bindparam("organisation_id"))
    first = first.subquery()
    return (
        select(first.c.programme_id, ProgrammeText.title, first.c.starts_at, first.c.booked, first.c.capacity)
        .outerjoin(ProgrammeText, (ProgrammeText.programme_id == first.c.programme_id) & (ProgrammeText.locale == "nl"))
        .order_by(first.c.starts_at, first.c.id)
    )


# Keyed by "of one organisation": building these costs more than running them, and their shape never changes.
_PAGE = {flag: _page_statement(flag) for flag in (True, False)}
_SUMMARY = {flag: _summary_statement(flag) for flag in (True, False)}
_NEXT = {flag: _next_statement(flag) for flag in (True, False)}


def _organisation(organisation_id: int | None) -> dict:
    """The statement parameter that limits it to the organisation (none for a coordinator, who sees all)."""
    return {} if organisation_id is None else {"organisation_id": organisation_id}


def _rows(statement, values: dict):
    """The plain rows of a dashboard statement: columns only, so without the ORM's steps for entities."""
    return db.session.connection().execute(statement, values)


def summary(organisation_id: int | None, today: date) -> Summary:
    """The number of programmes and of those that need checking, and the organisation's name, in one query."""
    values = _organisation(organisation_id) | {"cutoff": today - timedelta(days=FLAG_AFTER_DAYS)}
    return Summary(*_rows(_SUMMARY[organisation_id is not None], values).one())


def programme_page(
    organisation_id: int | None, today: date, page: int = 1, now: datetime | None = None
) -> list[DashboardRow]:
    """One page of the programmes (published first, then by slug) with next session, sessions and bookings to come,
    in one query whatever the number of programmes."""
    values = _organisation(organisation_id) | {
        "now": now or utcnow(),
        "limit": PAGE_SIZE,
        "offset": (max(page, 1) - 1) * PAGE_SIZE,
    }
    cutoff = today - timedelta(days=FLAG_AFTER_DAYS)
    return [
        DashboardRow(
            programme_id,
            title or "",
            status,
            checked,
            first,
            sessions,
            booked,
            needs_check=checked is None or checked <= cutoff,
        )  # fmt: skip
        for programme_id, title, status, checked, first, sessions, booked in _rows(
            _PAGE[organisation_id is not None], values
        )
    ]


def next_sessions(organisation_id: int | None, count: int = 5, now: datetime | None = None) -> list[NextSession]:
    """The first `count` coming scheduled sessions of the organisation's programmes (of all, for None)."""
    values = _organisation(organisation_id) | {"now": now or utcnow(), "limit": count}
    return [
        NextSession(programme_id, title or "", starts_at, booked, capacity)
        for programme_id, title, starts_at, booked, capacity in _rows(_NEXT[organisation_id is not None], values)
    ]

"""The broker's dashboard: a page of programmes with their figures, and counts of what needs attention, by SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select

from portal.extensions import db
from portal.models import Organisation, Programme, ProgrammeText, Session
from portal.models.base import utcnow
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
    """How many programmes the dashboard has, and how many were not checked for FLAG_AFTER_DAYS days."""

    programmes: int
    to_check: int

    def pages(self, page_size: int = PAGE_SIZE) -> int:
        """How many pages the programme list has (at least one)."""
        return max((self.programmes + page_size - 1) // page_size, 1)


def _of(statement, organisation: Organisation | None):
    """`statement` limited to the organisation's programmes (all, for None: a coordinator)."""
    return statement if organisation is None else statement.where(Programme.organisation_id == organisation.id)


def _unchecked(today: date):
    """The SQL condition of a programme that needs checking: never checked, or FLAG_AFTER_DAYS days ago or more."""
    return or_(
        Programme.last_verified_on.is_(None),
        Programme.last_verified_on <= today - timedelta(days=FLAG_AFTER_DAYS),
    )


def summary(organisation: Organisation | None, today: date) -> Summary:
    """The number of programmes and of those that need checking, in one aggregate query."""
    flagged = func.coalesce(func.sum(case((_unchecked(today), 1), else_=0)), 0)
    total, to_check = db.session.execute(_of(select(func.count(Programme.id), flagged), organisation)).one()
    return Summary(programmes=total, to_check=to_check)


def programme_page(
    organisation: Organisation | None, today: date, page: int = 1, now: datetime | None = None
) -> list[DashboardRow]:
    """One page of the programmes (published first, then by slug) with next session, sessions and bookings to come.

    Two queries whatever the number of programmes: the page with its Dutch titles, then the figures of its
    coming sessions grouped by programme."""
    now = now or utcnow()
    statement = (
        select(Programme.id, ProgrammeText.title, Programme.status, Programme.last_verified_on)
        .outerjoin(ProgrammeText, (ProgrammeText.programme_id == Programme.id) & (ProgrammeText.locale == "nl"))
        .order_by(Programme.status != "published", Programme.slug)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    programmes = db.session.execute(_of(statement, organisation)).all()
    figures = _coming(tuple(row.id for row in programmes), now)
    cutoff = today - timedelta(days=FLAG_AFTER_DAYS)
    return [
        DashboardRow(
            row.id,
            row.title or "",
            row.status,
            row.last_verified_on,
            *figures.get(row.id, (None, 0, 0)),
            needs_check=row.last_verified_on is None or row.last_verified_on <= cutoff,
        )  # fmt: skip
        for row in programmes
    ]


def _coming(ids: tuple[int, ...], now: datetime) -> dict[int, tuple[datetime | None, int, int]]:
    """(first start, number of sessions, places booked) of the coming scheduled sessions of each programme."""
    if not ids:
        return {}
    booked = func.coalesce(func.sum(Session.booked), 0)
    rows = db.session.execute(
        select(Session.programme_id, func.min(Session.starts_at), func.count(), booked)
        .where(and_(Session.programme_id.in_(ids), Session.status == "scheduled", Session.starts_at >= now))
        .group_by(Session.programme_id)
    )
    return {programme_id: (first, count, booked) for programme_id, first, count, booked in rows}

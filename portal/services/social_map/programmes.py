"""Reading the social map: published programmes, their texts and upcoming sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.models import Programme, Session
from portal.models.base import utcnow


def _published():
    return select(Programme).where(Programme.status == "published")


def with_details(query):
    """`query` with the texts, location, organisation and audiences loaded in one extra query each."""
    return query.options(
        selectinload(Programme.translations),
        selectinload(Programme.location),
        selectinload(Programme.organisation),
        selectinload(Programme.audiences),
    )


def with_card_details(query):
    """`query` with what a programme card shows: the location joined, the texts in one extra query."""
    return query.options(joinedload(Programme.location), selectinload(Programme.translations))


def next_sessions(programme_ids: list[int], now: datetime | None = None) -> dict[int, Session]:
    """The first upcoming scheduled session of each programme, in two queries at most."""
    if not programme_ids:
        return {}
    now = now or utcnow()
    first = (
        select(Session.programme_id, func.min(Session.starts_at).label("starts_at"))
        .where(Session.programme_id.in_(programme_ids), Session.starts_at > now, Session.status == "scheduled")
        .group_by(Session.programme_id)
        .subquery()
    )
    rows = db.session.scalars(
        select(Session)
        .join(first, (Session.programme_id == first.c.programme_id) & (Session.starts_at == first.c.starts_at))
        .where(Session.status == "scheduled")
        .order_by(Session.id)
    )
    result: dict[int, Session] = {}
    for session in rows:
        result.setdefault(session.programme_id, session)
    return result


def get_published(slug: str) -> Programme | None:
    """The published programme with this slug and all its page shows, in four queries; or None."""
    return db.session.scalar(
        _published()
        .where(Programme.slug == slug)
        .options(
            joinedload(Programme.location),
            joinedload(Programme.organisation),
            selectinload(Programme.translations),
            selectinload(Programme.audiences),
            selectinload(Programme.languages),
        )
    )


def upcoming_sessions(programme: Programme, limit: int = 10, now: datetime | None = None) -> list[Session]:
    """The next scheduled sessions of a programme, soonest first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Session)
            .where(Session.programme_id == programme.id, Session.starts_at > now, Session.status == "scheduled")
            .order_by(Session.starts_at, Session.id)
            .limit(limit)
        )
    )

"""Reading one programme's page: the published programme with all its page shows, and its next sessions.

The statements are built once per process (values bound per call): building them, and letting the ORM build
a select-in load per relationship, cost more than running them."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.models import Programme, ProgrammeText, Session
from portal.models.base import UTCDateTime, utcnow

# The programme's texts, read by one statement on the programme's id (the short lists come with the programme).
_LISTS = (("translations", ProgrammeText),)


@cache
def _published_by_slug():
    """The published programme with its location, organisation, audiences and spoken languages (`slug` bound): the
    two short lists joined in (a few rows: audiences times languages), each a round trip less than its own
    statement; the texts, with their long descriptions, are read apart."""
    return (
        select(Programme)
        .where(Programme.slug == bindparam("slug"), Programme.status == "published")
        .options(
            joinedload(Programme.location),
            joinedload(Programme.organisation),
            joinedload(Programme.audiences),
            joinedload(Programme.languages),
        )
    )


@cache
def _list_of(model):
    """The rows of `model` that belong to one programme (`programme_id` bound)."""
    return select(model).where(model.programme_id == bindparam("programme_id"))


@cache
def _upcoming():
    """A programme's next scheduled sessions, soonest first (`programme_id`, `now` and `limit` bound)."""
    return (
        select(Session)
        .where(
            Session.programme_id == bindparam("programme_id"),
            Session.starts_at > bindparam("now", type_=UTCDateTime),
            Session.status == "scheduled",
        )
        .order_by(Session.starts_at, Session.id)
        .limit(bindparam("limit", type_=Integer))
    )


def get_published(slug: str) -> Programme | None:
    """The published programme with this slug and all its page shows, in two queries; or None."""
    programme = db.session.scalars(_published_by_slug(), {"slug": slug}).unique().first()
    if programme is None:
        return None
    for name, model in _LISTS:
        rows = db.session.scalars(_list_of(model), {"programme_id": programme.id}).all()
        set_committed_value(programme, name, rows)
    # The joined lists in the order of their codes on both databases (a join gives them in no set order).
    set_committed_value(programme, "audiences", sorted(programme.audiences, key=lambda item: item.audience))
    set_committed_value(programme, "languages", sorted(programme.languages, key=lambda item: item.language))
    return programme


def upcoming_sessions(programme: Programme, limit: int = 10, now: datetime | None = None) -> list[Session]:
    """The next scheduled sessions of a programme, soonest first."""
    parameters = {"programme_id": programme.id, "now": now or utcnow(), "limit": limit}
    return list(db.session.scalars(_upcoming(), parameters))

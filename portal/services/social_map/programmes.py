"""Reading the social map: published programmes, their texts and upcoming sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.models import Programme, ProgrammeText, Session
from portal.models.base import utcnow

MIN_SLOTS = 8
MAX_SLOTS = 1024


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


def id_in(column, ids: list[int]):
    """`column IN (...)` with one placeholder per id, padded with 0 (no row's id) to a power of two.

    A fixed statement per size, compiled once and cached: an expanding IN list is rewritten on every call.
    More than MAX_SLOTS ids (no page shows so many) make an expanding IN list."""
    if len(ids) > MAX_SLOTS:
        return column.in_(ids)
    size = max(MIN_SLOTS, 1 << max(len(ids) - 1, 0).bit_length())
    padded = [*ids, *([0] * (size - len(ids)))]
    return column.in_([bindparam(f"id_{number}", value, type_=Integer) for number, value in enumerate(padded)])


def cards(ids: list[int]) -> dict[int, Programme]:
    """The programmes with these ids, by id, with what a card shows: the location, and every text (one more query)."""
    if not ids:
        return {}
    programmes = {
        programme.id: programme
        for programme in db.session.scalars(
            select(Programme).where(id_in(Programme.id, ids)).options(joinedload(Programme.location))
        )
    }
    texts: dict[int, list[ProgrammeText]] = {programme_id: [] for programme_id in programmes}
    for text in db.session.scalars(select(ProgrammeText).where(id_in(ProgrammeText.programme_id, ids))):
        texts[text.programme_id].append(text)
    for programme_id, programme in programmes.items():
        set_committed_value(programme, "translations", texts[programme_id])
    return programmes


def next_sessions(programme_ids: list[int], now: datetime | None = None) -> dict[int, Session]:
    """The first upcoming scheduled session of each programme, in two queries at most."""
    if not programme_ids:
        return {}
    now = now or utcnow()
    first = (
        select(Session.programme_id, func.min(Session.starts_at).label("starts_at"))
        .where(id_in(Session.programme_id, programme_ids), Session.starts_at > now, Session.status == "scheduled")
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

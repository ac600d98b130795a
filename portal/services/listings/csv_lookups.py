"""What a CSV import looks up in the database: the organisation's programmes, slugs, locations and sessions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Location, Organisation, Programme, Session
from portal.services.booking.places import for_change

IN_CHUNK = 500  # values per IN (...) list, well below the databases' limits


def chunks(values: list) -> Iterable[list]:
    """`values` in lists of at most IN_CHUNK."""
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def own_programmes(organisation: Organisation, *, details: bool) -> dict[str, Programme]:
    """The organisation's programmes by slug; with `details`, their texts, audiences and languages loaded."""
    query = select(Programme).where(Programme.organisation_id == organisation.id)
    if details:
        query = query.options(
            selectinload(Programme.translations), selectinload(Programme.audiences), selectinload(Programme.languages)
        )
    return {programme.slug: programme for programme in db.session.scalars(query)}


def foreign_slugs(organisation: Organisation, slugs: list[str]) -> set[str]:
    """Those of `slugs` that another organisation's programme has."""
    found: set[str] = set()
    for chunk in chunks(slugs):
        found.update(
            db.session.scalars(
                select(Programme.slug).where(Programme.slug.in_(chunk), Programme.organisation_id != organisation.id)
            )
        )
    return found


def locations_by_slug(slugs: list[str]) -> dict[str, Location]:
    """The locations with these slugs, of any organisation."""
    found: dict[str, Location] = {}
    for chunk in chunks(slugs):
        found.update((loc.slug, loc) for loc in db.session.scalars(select(Location).where(Location.slug.in_(chunk))))
    return found


def sessions_starting(programme_ids: list[int], earliest: datetime, latest: datetime) -> list[Session]:
    """The programmes' sessions starting from `earliest` to `latest`, by id; their rows are held until commit."""
    found: list[Session] = []
    for chunk in chunks(programme_ids):
        found.extend(
            db.session.scalars(
                for_change(
                    select(Session)
                    .where(
                        Session.programme_id.in_(chunk),
                        Session.starts_at >= earliest,
                        Session.starts_at <= latest,
                    )
                    .order_by(Session.id)
                )
            )
        )
    return found

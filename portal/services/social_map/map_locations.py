"""The social map's locations: where the matching programmes meet, with each one's next session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Location, Programme, ProgrammeText, Session
from portal.models.base import utcnow
from portal.services.social_map.filters import ProgrammeFilters
from portal.services.social_map.search import ranked_ids

LOCATIONS_PER_PAGE = 25


@dataclass(frozen=True)
class MapProgramme:
    """A programme as a map popup shows it."""

    slug: str
    title: str
    title_locale: str
    next_start: datetime | None


@dataclass(frozen=True)
class MapLocation:
    """A location with the matching programmes that meet there."""

    id: int
    name: str
    street: str
    house_number: str
    postcode: str
    city: str
    latitude: float
    longitude: float
    wheelchair_accessible: bool
    programmes: tuple[MapProgramme, ...]


def map_locations(
    filters: ProgrammeFilters, locale: str, now: datetime | None = None, category_words: dict[str, str] | None = None
) -> list[MapLocation]:
    """Every location with at least one matching published programme, sorted by name; three queries."""
    now = now or utcnow()
    ids = ranked_ids(filters, locale, now, category_words).order_by(None).subquery()
    dutch = aliased(ProgrammeText)
    local = aliased(ProgrammeText)
    next_start = (
        select(func.min(Session.starts_at))
        .where(Session.programme_id == Programme.id, Session.status == "scheduled", Session.starts_at > now)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            Programme.location_id,
            Programme.slug,
            func.coalesce(local.title, dutch.title),
            case((local.title.is_(None), "nl"), else_=locale),
            next_start,
        )
        .join(dutch, and_(dutch.programme_id == Programme.id, dutch.locale == "nl"))
        .outerjoin(local, and_(local.programme_id == Programme.id, local.locale == locale))
        .where(Programme.id.in_(select(ids.c.id)), Programme.location_id.is_not(None))
        .order_by(func.lower(func.coalesce(local.title, dutch.title)), Programme.id)
    ).all()
    by_location: dict[int, list[MapProgramme]] = {}
    for location_id, slug, title, title_locale, start in rows:
        by_location.setdefault(location_id, []).append(MapProgramme(slug, title, title_locale, start))
    if not by_location:
        return []
    locations = db.session.scalars(
        select(Location).where(Location.id.in_(by_location)).order_by(func.lower(Location.name), Location.id)
    )
    return [
        MapLocation(
            loc.id,
            loc.name,
            loc.street,
            loc.house_number,
            loc.postcode,
            loc.city,
            loc.latitude,
            loc.longitude,
            loc.wheelchair_accessible,
            tuple(by_location[loc.id]),
        )
        for loc in locations
    ]

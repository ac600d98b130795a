"""The social map's locations: markers in a box, one place's programmes, and the pages of the text list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, distinct, exists, func, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Location, Programme, ProgrammeText, Session
from portal.models.base import utcnow
from portal.services.social_map.filters import ProgrammeFilters
from portal.services.social_map.map_box import Box
from portal.services.social_map.search import listed_in

LOCATIONS_PER_PAGE = 25
MAX_POINTS = 200  # markers in one answer of the feed: zoomed out over a whole city, the map says to zoom in
LOCATION_COLUMNS = (
    Location.id,
    Location.name,
    Location.street,
    Location.house_number,
    Location.postcode,
    Location.city,
    Location.latitude,
    Location.longitude,
    Location.wheelchair_accessible,
)


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


@dataclass(frozen=True)
class LocationPage:
    """One page of the map's text list, with the counts of the whole selection."""

    locations: list[MapLocation]
    location_count: int
    programme_count: int
    page: int
    pages: int
    per_page: int


def _programmes_by_location(condition, locale: str, now: datetime) -> dict[int, list[MapProgramme]]:
    """The programmes meeting `condition` that have a location, by title, grouped by location; one query."""
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
        .where(condition, Programme.location_id.is_not(None))
        .order_by(func.lower(func.coalesce(local.title, dutch.title)), Programme.id)
    ).all()
    by_location: dict[int, list[MapProgramme]] = {}
    for location_id, slug, title, title_locale, start in rows:
        by_location.setdefault(location_id, []).append(MapProgramme(slug, title, title_locale, start))
    return by_location


def _with_programmes(rows, by_location: dict[int, list[MapProgramme]]) -> list[MapLocation]:
    return [MapLocation(*row, programmes=tuple(by_location.get(row.id, ()))) for row in rows]


def _by_name(query):
    return query.order_by(func.lower(Location.name), Location.id)


@dataclass(frozen=True)
class MapPoint:
    """A marker of the map feed: just enough to draw it; its programmes come when it is opened."""

    id: int
    name: str
    latitude: float
    longitude: float


def map_points(
    filters: ProgrammeFilters,
    box: Box,
    locale: str,
    limit: int | None = None,
    now: datetime | None = None,
    category_words: dict[str, str] | None = None,
) -> tuple[list[MapPoint], bool]:
    """The locations inside `box` with at least one matching programme, by id, at most `limit`, and whether
    there were more (`limit` is MAX_POINTS unless given); one query, whose answer never grows past `limit`
    however large the city."""
    now = now or utcnow()
    limit = limit or MAX_POINTS
    listed = listed_in(filters, locale, now, category_words)
    rows = db.session.execute(
        select(Location.id, Location.name, Location.latitude, Location.longitude)
        .where(
            Location.latitude.between(box.south, box.north),
            Location.longitude.between(box.west, box.east),
            exists().where(Programme.location_id == Location.id, listed),
        )
        .order_by(Location.id)
        .limit(limit + 1)
    ).all()
    return [MapPoint(*row) for row in rows[:limit]], len(rows) > limit


def location_detail(
    location_id: int,
    filters: ProgrammeFilters,
    locale: str,
    now: datetime | None = None,
    category_words: dict[str, str] | None = None,
) -> MapLocation | None:
    """One location with its matching programmes by title (a map popup), or None if there is no such place;
    two queries."""
    now = now or utcnow()
    row = db.session.execute(select(*LOCATION_COLUMNS).where(Location.id == location_id)).one_or_none()
    if row is None:
        return None
    listed = listed_in(filters, locale, now, category_words)
    by_location = _programmes_by_location(and_(listed, Programme.location_id == location_id), locale, now)
    return _with_programmes([row], by_location)[0]


def location_page(
    filters: ProgrammeFilters,
    locale: str,
    page: int = 1,
    per_page: int = LOCATIONS_PER_PAGE,
    now: datetime | None = None,
    category_words: dict[str, str] | None = None,
) -> LocationPage:
    """One page of the locations with matching programmes, by name, and the counts of them all; three queries.

    The page's locations come from an index walk by name, so the page costs about the same at any data size."""
    now = now or utcnow()
    listed = listed_in(filters, locale, now, category_words)
    programme_count, location_count = db.session.execute(
        select(func.count(Programme.id), func.count(distinct(Programme.location_id))).where(
            listed, Programme.location_id.is_not(None)
        )
    ).one()
    pages = max((location_count + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    if not location_count:
        return LocationPage([], 0, 0, page, pages, per_page)
    has_match = exists().where(Programme.location_id == Location.id, listed)
    rows = db.session.execute(
        _by_name(select(*LOCATION_COLUMNS).where(has_match)).limit(per_page).offset((page - 1) * per_page)
    ).all()
    # The page's places again as a subquery (an index walk of 25 steps), not an IN list of their ids: the
    # statement is compiled once and cached, with no list of parameters to expand on every call.
    shown = _by_name(select(Location.id).where(has_match)).limit(per_page).offset((page - 1) * per_page).subquery()
    by_location = _programmes_by_location(and_(listed, Programme.location_id.in_(select(shown.c.id))), locale, now)
    return LocationPage(_with_programmes(rows, by_location), location_count, programme_count, page, pages, per_page)

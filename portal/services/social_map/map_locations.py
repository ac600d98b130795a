"""The social map's locations: markers in a box, one place's programmes, and the pages of the text list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, Select, and_, bindparam, case, distinct, exists, func, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Location, Programme, ProgrammeText, Session
from portal.models.base import UTCDateTime, utcnow
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


@cache
def _programme_columns():
    """Location id, slug, title in `locale` (Dutch where untranslated), the title's locale and the next start
    after `now` of a programme (`locale` and `now` bound), with the joins of the texts: built once, since the
    two aliases of the texts cost more to build than the query costs to run."""
    dutch = aliased(ProgrammeText)
    local = aliased(ProgrammeText)
    next_start = (
        select(func.min(Session.starts_at))
        .where(
            Session.programme_id == Programme.id,
            Session.status == "scheduled",
            Session.starts_at > bindparam("now", type_=UTCDateTime),
        )
        .scalar_subquery()
    )
    title = func.coalesce(local.title, dutch.title)
    locale = case((local.title.is_(None), "nl"), else_=bindparam("locale"))
    query = (
        select(Programme.location_id, Programme.slug, title, locale, next_start)
        .join(dutch, and_(dutch.programme_id == Programme.id, dutch.locale == "nl"))
        .outerjoin(local, and_(local.programme_id == Programme.id, local.locale == bindparam("locale")))
    )
    return query, func.lower(title)


def _programmes_query(condition) -> Select:
    """The programmes meeting `condition` that have a location, by title (`locale` and `now` bound)."""
    query, title_order = _programme_columns()
    return query.where(condition, Programme.location_id.is_not(None)).order_by(title_order, Programme.id)


def _programmes_by_location(statement: Select, parameters: dict) -> dict[int, list[MapProgramme]]:
    """The programmes of a `_programmes_query` statement (its `parameters` bound) grouped by location; one query."""
    by_location: dict[int, list[MapProgramme]] = {}
    for location_id, slug, title, title_locale, start in db.session.execute(statement, parameters):
        by_location.setdefault(location_id, []).append(MapProgramme(slug, title, title_locale, start))
    return by_location


def _with_programmes(rows, by_location: dict[int, list[MapProgramme]]) -> list[MapLocation]:
    """The locations of `rows` (LOCATION_COLUMNS first, then anything) with their programmes."""
    size = len(LOCATION_COLUMNS)
    return [MapLocation(*row[:size], programmes=tuple(by_location.get(row.id, ()))) for row in rows]


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
    if filters.active:
        statement = _points_statement(listed_in(filters, locale, now, category_words))
    else:
        statement = _unfiltered_points_statement()
    parameters = {"south": box.south, "north": box.north, "west": box.west, "east": box.east, "limit": limit + 1}
    rows = db.session.execute(statement, parameters).all()
    return [MapPoint(*row) for row in rows[:limit]], len(rows) > limit


def _points_statement(listed) -> Select:
    """The places with a programme meeting `listed` in a box (`south`, `north`, `west`, `east` bound), by id, at
    most `limit`."""
    return (
        select(Location.id, Location.name, Location.latitude, Location.longitude)
        .where(
            Location.latitude.between(bindparam("south"), bindparam("north")),
            Location.longitude.between(bindparam("west"), bindparam("east")),
            exists().where(Programme.location_id == Location.id, listed),
        )
        .order_by(Location.id)
        .limit(bindparam("limit", type_=Integer))
    )


@cache
def _unfiltered_points_statement() -> Select:
    """The markers' statement without filters, built once (as `_unfiltered_page_statements`)."""
    return _points_statement(listed_in(ProgrammeFilters(), "nl", utcnow()))


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
    statement = _programmes_query(and_(listed, Programme.location_id == location_id))
    by_location = _programmes_by_location(statement, {"locale": locale, "now": now})
    return _with_programmes([row], by_location)[0]


@dataclass(frozen=True)
class _PageStatements:
    """A page of the text list for the programmes meeting a condition: the page's places by name, each row with the
    counts of them all; the counts alone (for a page past the last); the places' programmes (`per_page` and
    `offset` bound, and the programmes' `locale` and `now`)."""

    places: Select
    counts: Select
    programmes: Select


def _page_statements(listed) -> _PageStatements:
    has_match = exists().where(Programme.location_id == Location.id, listed)

    def page_of(query: Select) -> Select:
        offset = bindparam("offset", type_=Integer)
        return _by_name(query.where(has_match)).limit(bindparam("per_page", type_=Integer)).offset(offset)

    counts = select(
        func.count(Programme.id).label("programme_count"),
        func.count(distinct(Programme.location_id)).label("location_count"),
    ).where(listed, Programme.location_id.is_not(None))
    # The counts with every row of the page, so the page and the counts cost one round trip: a CTE that both
    # databases compute once, read by two scalar subqueries (a join to it let SQLite drop the index walk by name).
    totals = counts.cte("totals")
    places = page_of(
        select(
            *LOCATION_COLUMNS,
            select(totals.c.programme_count).scalar_subquery().label("programme_count"),
            select(totals.c.location_count).scalar_subquery().label("location_count"),
        )
    )
    # The page's places again as a subquery (an index walk of 25 steps), not an IN list of their ids: the
    # statement is compiled once and cached, with no list of parameters to expand on every call.
    shown = page_of(select(Location.id)).subquery()
    return _PageStatements(
        places=places,
        counts=counts,
        programmes=_programmes_query(and_(listed, Programme.location_id.in_(select(shown.c.id)))),
    )


@cache
def _unfiltered_page_statements() -> _PageStatements:
    """The statements of the map without filters, built once: that condition holds nothing of a request (no time,
    no search words), so building it per request cost more than running it (tests/test_social_map_page.py)."""
    return _page_statements(listed_in(ProgrammeFilters(), "nl", utcnow()))


def location_page(
    filters: ProgrammeFilters,
    locale: str,
    page: int = 1,
    per_page: int = LOCATIONS_PER_PAGE,
    now: datetime | None = None,
    category_words: dict[str, str] | None = None,
) -> LocationPage:
    """One page of the locations with matching programmes, by name, and the counts of them all; two queries (four
    for a page past the last).

    The page's locations come from an index walk by name, so the page costs about the same at any data size."""
    now = now or utcnow()
    if filters.active:
        statements = _page_statements(listed_in(filters, locale, now, category_words))
    else:
        statements = _unfiltered_page_statements()
    page = max(page, 1)
    rows = db.session.execute(statements.places, _window(page, per_page)).all()
    if not rows and page > 1:  # past the last page: count, and show the last one
        location_count = db.session.execute(statements.counts).one().location_count
        page = max((location_count + per_page - 1) // per_page, 1)
        rows = db.session.execute(statements.places, _window(page, per_page)).all()
    if not rows:
        return LocationPage([], 0, 0, 1, 1, per_page)
    programme_count, location_count = rows[0].programme_count, rows[0].location_count
    pages = max((location_count + per_page - 1) // per_page, 1)
    window = _window(page, per_page)
    by_location = _programmes_by_location(statements.programmes, {"locale": locale, "now": now, **window})
    return LocationPage(_with_programmes(rows, by_location), location_count, programme_count, page, pages, per_page)


def _window(page: int, per_page: int) -> dict[str, int]:
    return {"per_page": per_page, "offset": (page - 1) * per_page}

"""Look-ups of neighbourhoods and their organisations."""

from __future__ import annotations

import logging
from functools import cache

from sqlalchemy import Row, bindparam, select
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.models import Neighbourhood, Organisation

logger = logging.getLogger(__name__)


@cache
def _by_slug():
    """The look-up of the whole entity by slug (`slug` bound), built once per process."""
    return select(Neighbourhood).where(Neighbourhood.slug == bindparam("slug"))


def find_neighbourhood(slug: str) -> Neighbourhood | None:
    """The neighbourhood with this slug, or None."""
    return db.session.scalar(_by_slug(), {"slug": slug})


@cache
def _shown_by_slug():
    """What pages show of a neighbourhood (`slug` bound), as plain columns: built once per process."""
    table = Neighbourhood.__table__
    shown = ("id", "slug", "name", "city", "latitude", "longitude", "zoom", "is_demo")
    return select(*(table.c[name] for name in shown)).where(table.c.slug == bindparam("slug"))


def default_neighbourhood(slug: str) -> Row | None:
    """What pages show of the configured neighbourhood (id, slug, name, city, latitude, longitude, zoom, is_demo)
    as a row, read anew on every request (it is data, not configuration); None if there is none or the database
    cannot say. A Core statement on the session's connection: every page's layout asks it, and loading an entity
    through the session cost twice as much."""
    try:
        return db.session.connection().execute(_shown_by_slug(), {"slug": slug}).first()
    except SQLAlchemyError:
        db.session.rollback()
        logger.warning("neighbourhood lookup failed")
        return None


@cache
def _organisations_of():
    """A neighbourhood's organisations (`neighbourhood_id` bound) by name, with the columns the overview shows."""
    shown = (Organisation.id, Organisation.kind, Organisation.name, Organisation.description, Organisation.street)
    address = (Organisation.house_number, Organisation.postcode, Organisation.city)
    contact = (Organisation.phone, Organisation.email, Organisation.website)
    return (
        select(*shown, *address, *contact)
        .where(Organisation.neighbourhood_id == bindparam("neighbourhood_id"))
        .order_by(Organisation.name)
    )


def organisations_by_kind(neighbourhood: Neighbourhood | Row) -> dict[str, list[Row]]:
    """The neighbourhood's organisations grouped by kind, each group sorted by name: rows of what the overview
    shows (id, kind, name, description, address, phone, email, website), not organisation objects."""
    grouped: dict[str, list[Row]] = {}
    for organisation in db.session.execute(_organisations_of(), {"neighbourhood_id": neighbourhood.id}):
        grouped.setdefault(organisation.kind, []).append(organisation)
    return grouped

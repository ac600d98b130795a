"""Look-ups of neighbourhoods and their organisations."""

from __future__ import annotations

import logging
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.models import Neighbourhood, Organisation

logger = logging.getLogger(__name__)


@cache
def _by_slug():
    """The look-up by slug (`slug` bound), built once per process: every page's layout asks it."""
    return select(Neighbourhood).where(Neighbourhood.slug == bindparam("slug"))


def find_neighbourhood(slug: str) -> Neighbourhood | None:
    """The neighbourhood with this slug, or None."""
    return db.session.scalar(_by_slug(), {"slug": slug})


def default_neighbourhood(slug: str) -> Neighbourhood | None:
    """The configured neighbourhood with this slug; None if there is none or the database cannot say."""
    try:
        return find_neighbourhood(slug)
    except SQLAlchemyError:
        db.session.rollback()
        logger.warning("neighbourhood lookup failed")
        return None


def organisations_by_kind(neighbourhood: Neighbourhood) -> dict[str, list[Organisation]]:
    """The neighbourhood's organisations grouped by kind, each group sorted by name."""
    rows = db.session.scalars(
        select(Organisation).where(Organisation.neighbourhood_id == neighbourhood.id).order_by(Organisation.name)
    )
    grouped: dict[str, list[Organisation]] = {}
    for organisation in rows:
        grouped.setdefault(organisation.kind, []).append(organisation)
    return grouped

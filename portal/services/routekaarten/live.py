"""Live data from the social map for a route map: published offers with their next session, and contacts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased

from portal.config import DEFAULT_LANGUAGE
from portal.extensions import db
from portal.models import Location, Organisation, Programme, ProgrammeText
from portal.services.routekaarten.model import Localized, RouteMap
from portal.services.social_map.programmes import next_sessions

logger = logging.getLogger(__name__)
# Made once: a fresh alias per query would make SQLAlchemy adapt every column anew (most of the query's cost).
_PAGE_TEXT = aliased(ProgrammeText, name="page_text")
_DUTCH_TEXT = aliased(ProgrammeText, name="dutch_text")


@dataclass(frozen=True)
class LiveOffer:
    """What the social map says about a programme now: title, next session, free places."""

    slug: str
    title: Localized
    summary: Localized
    category: str
    next_starts_at: datetime | None
    places_left: int | None
    location_name: str | None
    cost_cents: int
    referral_required: bool


@dataclass(frozen=True)
class LiveData:
    """The live offers by slug and the neighbourhood's organisations; `available` is False without a database."""

    offers: dict[str, LiveOffer]
    organisations: list[Organisation]
    available: bool


def live_offers(slugs: Sequence[str], lang: str) -> dict[str, LiveOffer]:
    """Published programmes by slug with title, next session and free places; a fixed number of queries.

    Reads columns, not programme objects: the texts in `lang` and in Dutch (the fallback) come joined."""
    if not slugs:
        return {}
    local, dutch = _PAGE_TEXT, _DUTCH_TEXT
    rows = db.session.execute(
        select(
            Programme.id,
            Programme.slug,
            Programme.category,
            Programme.cost_cents,
            Programme.referral_required,
            Location.name,
            local.title,
            local.summary,
            dutch.title,
            dutch.summary,
        )
        .outerjoin(Location, Location.id == Programme.location_id)
        .outerjoin(local, (local.programme_id == Programme.id) & (local.locale == lang))
        .outerjoin(dutch, (dutch.programme_id == Programme.id) & (dutch.locale == DEFAULT_LANGUAGE))
        .where(Programme.slug.in_(list(slugs)), Programme.status == "published")
    ).all()
    upcoming = next_sessions([row[0] for row in rows])
    result = {}
    for row in rows:
        programme_id, slug, category, cost_cents, referral_required, place, title, summary, nl_title, nl_summary = row
        text_lang = lang if title is not None else DEFAULT_LANGUAGE
        session = upcoming.get(programme_id)
        result[slug] = LiveOffer(
            slug=slug,
            title=Localized(title if title is not None else nl_title, text_lang),
            summary=Localized(summary if title is not None else nl_summary, text_lang),
            category=category,
            next_starts_at=session.starts_at if session else None,
            places_left=session.places_left if session else None,
            location_name=place,
            cost_cents=cost_cents,
            referral_required=referral_required,
        )
    return result


def neighbourhood_organisations(neighbourhood_id: int | None) -> list[Organisation]:
    """The organisations of the neighbourhood, in one query, sorted by name."""
    if neighbourhood_id is None:
        return []
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.neighbourhood_id == neighbourhood_id).order_by(Organisation.name)
        )
    )


def live_data(route_map: RouteMap, lang: str, neighbourhood_id: int | None) -> LiveData:
    """The live offers and organisations for `route_map`; nothing (and not available) when the database fails."""
    try:
        offers = live_offers([offer.programme for offer in route_map.offers], lang)
        return LiveData(offers, neighbourhood_organisations(neighbourhood_id), True)
    except SQLAlchemyError as error:
        db.session.rollback()
        logger.warning("route map %s: live data unavailable (%s)", route_map.slug, type(error).__name__)
        return LiveData({}, [], False)

"""Live data from the social map for a route map: published offers with their next session, and contacts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.models import Organisation, Programme
from portal.services.routekaarten.model import Localized, RouteMap
from portal.services.social_map.programmes import next_sessions

logger = logging.getLogger(__name__)


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
    """Published programmes by slug with title, next session and free places; a fixed number of queries."""
    if not slugs:
        return {}
    programmes = list(
        db.session.scalars(
            select(Programme)
            .where(Programme.slug.in_(list(slugs)), Programme.status == "published")
            .options(selectinload(Programme.translations), joinedload(Programme.location))
        )
    )
    upcoming = next_sessions([programme.id for programme in programmes])
    result = {}
    for programme in programmes:
        text = programme.text(lang)
        session = upcoming.get(programme.id)
        result[programme.slug] = LiveOffer(
            slug=programme.slug,
            title=Localized(text.title, text.locale),
            summary=Localized(text.summary, text.locale),
            category=programme.category,
            next_starts_at=session.starts_at if session else None,
            places_left=session.places_left if session else None,
            location_name=programme.location.name if programme.location else None,
            cost_cents=programme.cost_cents,
            referral_required=programme.referral_required,
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

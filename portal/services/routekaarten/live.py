"""Live data from the social map for a route map: published offers with their next session, and contacts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache

from sqlalchemy import Row, bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased

from portal.config import DEFAULT_LANGUAGE
from portal.extensions import db
from portal.models import Location, Organisation, Programme, ProgrammeText, Session
from portal.models.base import UTCDateTime, utcnow
from portal.services.routekaarten.model import Localized, RouteMap

logger = logging.getLogger(__name__)
# Made once: a fresh alias per query would make SQLAlchemy adapt every column anew (most of the query's cost).
_PAGE_TEXT = aliased(ProgrammeText, name="page_text")
_DUTCH_TEXT = aliased(ProgrammeText, name="dutch_text")
_UPCOMING = aliased(Session, name="upcoming")


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
    """The live offers by slug and the neighbourhood's organisations (rows of slug, kind, name, phone and email);
    `available` is False without a database."""

    offers: dict[str, LiveOffer]
    organisations: list[Row]
    available: bool


@lru_cache(maxsize=16)
def _offers_statement(size: int):
    """Published programmes by slug (`slug_0` … `slug_<size - 1>` bound) with their texts in `lang` and in Dutch, their
    place, and their next scheduled session after `now` (the earliest; of two at once, the first made), joined:
    one statement per number of offers, built once."""
    local, dutch = _PAGE_TEXT, _DUTCH_TEXT
    upcoming = _UPCOMING
    next_session = (
        select(upcoming.id)
        .where(
            upcoming.programme_id == Programme.id,
            upcoming.status == "scheduled",
            upcoming.starts_at > bindparam("now", type_=UTCDateTime),
        )
        .order_by(upcoming.starts_at, upcoming.id)
        .limit(1)
        .correlate(Programme)
        .scalar_subquery()
    )
    return (
        select(
            Programme.slug,
            Programme.category,
            Programme.cost_cents,
            Programme.referral_required,
            Location.name,
            local.title,
            local.summary,
            dutch.title,
            dutch.summary,
            Session.starts_at,
            Session.capacity - Session.booked,
        )
        .outerjoin(Location, Location.id == Programme.location_id)
        .outerjoin(local, (local.programme_id == Programme.id) & (local.locale == bindparam("lang")))
        .outerjoin(dutch, (dutch.programme_id == Programme.id) & (dutch.locale == DEFAULT_LANGUAGE))
        .outerjoin(Session, Session.id == next_session)
        .where(Programme.slug.in_([bindparam(f"slug_{n}") for n in range(size)]), Programme.status == "published")
    )


def live_offers(slugs: Sequence[str], lang: str, now: datetime | None = None) -> dict[str, LiveOffer]:
    """Published programmes by slug with title, next session and free places; one query.

    Reads columns, not programme objects: the texts in `lang` and in Dutch (the fallback) come joined."""
    if not slugs:
        return {}
    unique = sorted(set(slugs))
    parameters = {f"slug_{n}": slug for n, slug in enumerate(unique)} | {"lang": lang, "now": now or utcnow()}
    result = {}
    for row in db.session.execute(_offers_statement(len(unique)), parameters):
        slug, category, cost_cents, referral_required, place, title, summary, nl_title, nl_summary, starts, left = row
        text_lang = lang if title is not None else DEFAULT_LANGUAGE
        result[slug] = LiveOffer(
            slug=slug,
            title=Localized(title if title is not None else nl_title, text_lang),
            summary=Localized(summary if title is not None else nl_summary, text_lang),
            category=category,
            next_starts_at=starts,
            places_left=max(left, 0) if starts is not None else None,
            location_name=place,
            cost_cents=cost_cents,
            referral_required=referral_required,
        )
    return result


@cache
def _organisations_statement():
    """The organisations of a neighbourhood (`neighbourhood_id` bound) by name: what a role's contact shows."""
    columns = (Organisation.slug, Organisation.kind, Organisation.name, Organisation.phone, Organisation.email)
    return (
        select(*columns)
        .where(Organisation.neighbourhood_id == bindparam("neighbourhood_id"))
        .order_by(Organisation.name)
    )


def neighbourhood_organisations(neighbourhood_id: int | None) -> list[Row]:
    """The organisations of the neighbourhood (slug, kind, name, phone, email), in one query, sorted by name."""
    if neighbourhood_id is None:
        return []
    return db.session.execute(_organisations_statement(), {"neighbourhood_id": neighbourhood_id}).all()


def live_data(route_map: RouteMap, lang: str, neighbourhood_id: int | None) -> LiveData:
    """The live offers and organisations for `route_map`; nothing (and not available) when the database fails."""
    try:
        offers = live_offers([offer.programme for offer in route_map.offers], lang)
        return LiveData(offers, neighbourhood_organisations(neighbourhood_id), True)
    except SQLAlchemyError as error:
        db.session.rollback()
        logger.warning("route map %s: live data unavailable (%s)", route_map.slug, type(error).__name__)
        return LiveData({}, [], False)

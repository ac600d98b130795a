"""Route maps for the pages: the selector, which offers fit and why, and live data from the social map."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.models import Organisation, Programme
from portal.services.routekaarten.content import EXTENSION_KEY
from portal.services.routekaarten.model import DIMENSIONS, LEVELS, Catalogue, Localized, Offer, Role, RouteMap, Step
from portal.services.social_map.programmes import next_sessions

logger = logging.getLogger(__name__)

MAX_SHOWN_VALUE = 40

DIMENSION_LABELS = {
    "zelfredzaamheid": _l("Self-reliance"),
    "gezondheidsvaardigheden": _l("Health literacy"),
    "motivatie": _l("Motivation"),
}
DIMENSION_HINTS = {
    "zelfredzaamheid": _l("How well does the resident arrange things on their own?"),
    "gezondheidsvaardigheden": _l("How well does the resident find, understand and use health information?"),
    "motivatie": _l("How much does the resident want to change?"),
}
LEVEL_LABELS = {"laag": _l("Low"), "midden": _l("Medium"), "hoog": _l("High")}
ANY_LEVEL_LABEL = _l("Not sure / any")
FIT_LABELS = {
    ("zelfredzaamheid", "laag"): _l("Suits low self-reliance"),
    ("zelfredzaamheid", "midden"): _l("Suits medium self-reliance"),
    ("zelfredzaamheid", "hoog"): _l("Suits high self-reliance"),
    ("gezondheidsvaardigheden", "laag"): _l("Suits low health literacy"),
    ("gezondheidsvaardigheden", "midden"): _l("Suits medium health literacy"),
    ("gezondheidsvaardigheden", "hoog"): _l("Suits high health literacy"),
    ("motivatie", "laag"): _l("Suits low motivation"),
    ("motivatie", "midden"): _l("Suits medium motivation"),
    ("motivatie", "hoog"): _l("Suits high motivation"),
}


@dataclass(frozen=True)
class Selection:
    """The levels chosen in the selector, and the query values that were ignored."""

    levels: Mapping[str, str]
    ignored: tuple[tuple[str, str], ...]

    @property
    def is_empty(self) -> bool:
        """True when no level was chosen: every offer is shown."""
        return not self.levels


@dataclass(frozen=True)
class SelectorOption:
    """One radio button of the selector."""

    value: str
    label: Any
    checked: bool


@dataclass(frozen=True)
class SelectorField:
    """One question of the selector (a fieldset)."""

    name: str
    label: Any
    hint: Any
    options: tuple[SelectorOption, ...]


@dataclass(frozen=True)
class FitReason:
    """Why an offer suits a chosen level: a translated label and the content's own reason."""

    label: Any
    reason: Localized


@dataclass(frozen=True)
class Tag:
    """The levels an offer suits on one dimension, for display."""

    dimension: Any
    levels: tuple[Any, ...]
    all_levels: bool
    chosen: Any | None


@dataclass(frozen=True)
class Fit:
    """Whether an offer fits the selection, why it does, and on which dimensions it does not."""

    fits: bool
    reasons: tuple[FitReason, ...]
    misses: tuple[Tag, ...]


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
class OfferView:
    """One offer on the page: live data, its level tags and how it fits the selection."""

    live: LiveOffer
    tags: tuple[Tag, ...]
    fit: Fit


@dataclass(frozen=True)
class Contact:
    """How to reach an organisation of the neighbourhood."""

    name: str
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class RoleView:
    """Someone involved in a step, with the organisations that fill that role here."""

    name: Localized
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class StepView:
    """One step on the page."""

    id: str
    number: int
    icon: str | None
    title: Localized
    text: Localized
    roles: tuple[RoleView, ...]
    has_offers: bool
    fitting: tuple[OfferView, ...]
    other: tuple[OfferView, ...]


@dataclass(frozen=True)
class RouteMapSummary:
    """A route map on the overview page."""

    slug: str
    title: Localized
    summary: Localized
    audience: Localized
    steps: int
    offers: int


@dataclass(frozen=True)
class RouteMapPage:
    """Everything the route-map page shows, in one language."""

    slug: str
    title: Localized
    summary: Localized
    audience: Localized
    intro: Localized | None
    illustrative_note: Localized | None
    no_fit: Localized
    steps: tuple[StepView, ...]
    selection: Selection
    chosen: tuple[tuple[Any, Any], ...]
    fitting: int
    total: int
    live_available: bool

    @property
    def offers_step(self) -> StepView | None:
        """The first step that lists offers (the selector's results land there)."""
        return next((step for step in self.steps if step.has_offers), None)


def _catalogue() -> Catalogue:
    return current_app.extensions[EXTENSION_KEY]


def _summary(route_map: RouteMap, lang: str) -> RouteMapSummary:
    return RouteMapSummary(
        slug=route_map.slug,
        title=route_map.title.for_language(lang),
        summary=route_map.summary.for_language(lang),
        audience=route_map.audience.for_language(lang),
        steps=len(route_map.steps),
        offers=len(route_map.offers),
    )


def list_route_maps(lang: str) -> list[RouteMapSummary]:
    """Every route map with its one-line summary and audience, in `lang` (Dutch where untranslated)."""
    return [_summary(route_map, lang) for route_map in _catalogue().maps]


def route_maps_with_programme(slug: str, lang: str) -> list[RouteMapSummary]:
    """The route maps that name this programme as an offer, in display order."""
    return [
        _summary(route_map, lang)
        for route_map in _catalogue().maps
        if any(offer.programme == slug for offer in route_map.offers)
    ]


def get_route_map(slug: str) -> RouteMap | None:
    """The route map with this slug, or None."""
    return _catalogue().get(slug)


def _shorten(value: str) -> str:
    return value if len(value) <= MAX_SHOWN_VALUE else value[: MAX_SHOWN_VALUE - 1] + "…"


def parse_selection(args: Mapping[str, Sequence[str]]) -> Selection:
    """Levels from the query string (one per dimension); empty means 'any', anything else unknown is ignored."""
    levels: dict[str, str] = {}
    ignored: list[tuple[str, str]] = []
    for dimension in DIMENSIONS:
        for raw in args.get(dimension, ()):
            value = raw.strip().lower()
            if not value or levels.get(dimension) == value:
                continue
            if value in LEVELS and dimension not in levels:
                levels[dimension] = value
            else:
                ignored.append((dimension, _shorten(raw)))
    return Selection(levels, tuple(ignored))


def selector_fields(selection: Selection) -> tuple[SelectorField, ...]:
    """The selector's three questions with their options, the current choice checked."""
    fields = []
    for dimension in DIMENSIONS:
        chosen = selection.levels.get(dimension, "")
        options = [SelectorOption("", ANY_LEVEL_LABEL, chosen == "")]
        options += [SelectorOption(level, LEVEL_LABELS[level], chosen == level) for level in LEVELS]
        fields.append(SelectorField(dimension, DIMENSION_LABELS[dimension], DIMENSION_HINTS[dimension], tuple(options)))
    return tuple(fields)


def _tag(offer: Offer, dimension: str, chosen: str | None) -> Tag:
    levels = offer.levels[dimension]
    return Tag(
        dimension=DIMENSION_LABELS[dimension],
        levels=tuple(LEVEL_LABELS[level] for level in levels),
        all_levels=len(levels) == len(LEVELS),
        chosen=LEVEL_LABELS[chosen] if chosen else None,
    )


def fit_offer(offer: Offer, selection: Selection, lang: str) -> Fit:
    """Whether `offer` suits every chosen level; the reasons per chosen level, and where it falls short."""
    reasons, misses = [], []
    for dimension in DIMENSIONS:
        level = selection.levels.get(dimension)
        if level is None:
            continue
        if offer.suits(dimension, level):
            reasons.append(FitReason(FIT_LABELS[dimension, level], offer.reasons[dimension].for_language(lang)))
        else:
            misses.append(_tag(offer, dimension, level))
    return Fit(not misses, tuple(reasons), tuple(misses))


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


def _role_view(role: Role, organisations: list[Organisation], lang: str) -> RoleView:
    if role.organisations:
        matches = [org for org in organisations if org.slug in role.organisations]
    elif role.kind:
        matches = [org for org in organisations if org.kind == role.kind]
    else:
        matches = []
    contacts = tuple(Contact(org.name, org.phone, org.email) for org in matches)
    return RoleView(role.name.for_language(lang), contacts)


def _offer_view(offer: Offer, live: LiveOffer, selection: Selection, lang: str) -> OfferView:
    tags = tuple(_tag(offer, dimension, selection.levels.get(dimension)) for dimension in DIMENSIONS)
    return OfferView(live, tags, fit_offer(offer, selection, lang))


def _step_view(step: Step, number: int, organisations, live, selection: Selection, lang: str) -> StepView:
    views = [
        _offer_view(offer, live[offer.programme], selection, lang) for offer in step.offers if offer.programme in live
    ]
    return StepView(
        id=step.id,
        number=number,
        icon=step.icon,
        title=step.title.for_language(lang),
        text=step.text.for_language(lang),
        roles=tuple(_role_view(role, organisations, lang) for role in step.roles),
        has_offers=bool(step.offers),
        fitting=tuple(view for view in views if view.fit.fits),
        other=tuple(view for view in views if not view.fit.fits),
    )


def _live_data(route_map: RouteMap, lang: str, neighbourhood_id: int | None):
    try:
        live = live_offers([offer.programme for offer in route_map.offers], lang)
        return live, neighbourhood_organisations(neighbourhood_id), True
    except SQLAlchemyError as error:
        db.session.rollback()
        logger.warning("route map %s: live data unavailable (%s)", route_map.slug, type(error).__name__)
        return {}, [], False


def route_map_page(route_map: RouteMap, selection: Selection, lang: str, neighbourhood_id: int | None) -> RouteMapPage:
    """The route map in `lang` with live offers narrowed by `selection`; the route still shows without a database."""
    live, organisations, available = _live_data(route_map, lang, neighbourhood_id)
    steps = tuple(
        _step_view(step, number, organisations, live, selection, lang)
        for number, step in enumerate(route_map.steps, start=1)
    )
    chosen = tuple(
        (DIMENSION_LABELS[dimension], LEVEL_LABELS[selection.levels[dimension]])
        for dimension in DIMENSIONS
        if dimension in selection.levels
    )
    optional = {key: getattr(route_map, key) for key in ("intro", "illustrative_note")}
    return RouteMapPage(
        slug=route_map.slug,
        title=route_map.title.for_language(lang),
        summary=route_map.summary.for_language(lang),
        audience=route_map.audience.for_language(lang),
        intro=optional["intro"].for_language(lang) if optional["intro"] else None,
        illustrative_note=optional["illustrative_note"].for_language(lang) if optional["illustrative_note"] else None,
        no_fit=route_map.no_fit.for_language(lang),
        steps=steps,
        selection=selection,
        chosen=chosen,
        fitting=sum(len(step.fitting) for step in steps),
        total=sum(len(step.fitting) + len(step.other) for step in steps),
        live_available=available,
    )

"""The route-map pages: the overview, one map's steps with its offers and contacts, in one language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.markdown_text import render_markdown
from portal.models import Organisation, Programme
from portal.services.routekaarten.content import current_catalogue
from portal.services.routekaarten.live import LiveData, LiveOffer, live_data
from portal.services.routekaarten.model import DIMENSIONS, Localized, Offer, Role, RouteMap, Step
from portal.services.routekaarten.selector import Fit, Selection, Tag, chosen_labels, fit_offer, offer_tag


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
    text_html: Markup
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
    intro_html: Markup | None
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

    @property
    def categories(self) -> set[str]:
        """The categories of the offers shown as cards (the fitting ones), for their icons."""
        return {view.live.category for step in self.steps for view in step.fitting}


@lru_cache(maxsize=512)
def content_html(text: str) -> Markup:
    """A route map's Markdown as sanitised HTML; the maps are read once at start-up, so each text renders once."""
    return Markup(render_markdown(text))  # noqa: S704  (sanitised by nh3 in render_markdown)


def _published(slugs: set[str]) -> set[str] | None:
    """Which of these programme slugs are published; None when the database cannot say (all are counted)."""
    if not slugs:
        return set()
    try:
        return set(
            db.session.scalars(
                select(Programme.slug).where(Programme.slug.in_(sorted(slugs)), Programme.status == "published")
            )
        )
    except SQLAlchemyError:
        db.session.rollback()
        return None


def _summary(route_map: RouteMap, lang: str, published: set[str] | None = None) -> RouteMapSummary:
    return RouteMapSummary(
        slug=route_map.slug,
        title=route_map.title.for_language(lang),
        summary=route_map.summary.for_language(lang),
        audience=route_map.audience.for_language(lang),
        steps=len(route_map.steps),
        offers=len([o for o in route_map.offers if published is None or o.programme in published]),
    )


def list_route_maps(lang: str) -> list[RouteMapSummary]:
    """Every route map with its summary, audience and published offers, in `lang` (Dutch where untranslated)."""
    maps = current_catalogue().maps
    published = _published({offer.programme for route_map in maps for offer in route_map.offers})
    return [_summary(route_map, lang, published) for route_map in maps]


def route_maps_with_programme(slug: str, lang: str) -> list[RouteMapSummary]:
    """The route maps that name this programme as an offer, in display order."""
    return [
        _summary(route_map, lang)
        for route_map in current_catalogue().maps
        if any(offer.programme == slug for offer in route_map.offers)
    ]


def get_route_map(slug: str) -> RouteMap | None:
    """The route map with this slug, or None."""
    return current_catalogue().get(slug)


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
    tags = tuple(offer_tag(offer, dimension, selection.levels.get(dimension), lang) for dimension in DIMENSIONS)
    return OfferView(live, tags, fit_offer(offer, selection, lang))


def _step_view(step: Step, number: int, live: LiveData, selection: Selection, lang: str) -> StepView:
    views = [
        _offer_view(offer, live.offers[offer.programme], selection, lang)
        for offer in step.offers
        if offer.programme in live.offers
    ]
    text = step.text.for_language(lang)
    return StepView(
        id=step.id,
        number=number,
        icon=step.icon,
        title=step.title.for_language(lang),
        text=text,
        text_html=content_html(text.text),
        roles=tuple(_role_view(role, live.organisations, lang) for role in step.roles),
        has_offers=bool(step.offers),
        fitting=tuple(view for view in views if view.fit.fits),
        other=tuple(view for view in views if not view.fit.fits),
    )


def route_map_page(route_map: RouteMap, selection: Selection, lang: str, neighbourhood_id: int | None) -> RouteMapPage:
    """The route map in `lang` with live offers narrowed by `selection`; the route still shows without a database."""
    live = live_data(route_map, lang, neighbourhood_id)
    steps = tuple(
        _step_view(step, number, live, selection, lang) for number, step in enumerate(route_map.steps, start=1)
    )
    optional = {key: getattr(route_map, key) for key in ("intro", "illustrative_note")}
    intro = optional["intro"].for_language(lang) if optional["intro"] else None
    return RouteMapPage(
        slug=route_map.slug,
        title=route_map.title.for_language(lang),
        summary=route_map.summary.for_language(lang),
        audience=route_map.audience.for_language(lang),
        intro=intro,
        intro_html=content_html(intro.text) if intro else None,
        illustrative_note=optional["illustrative_note"].for_language(lang) if optional["illustrative_note"] else None,
        no_fit=route_map.no_fit.for_language(lang),
        steps=steps,
        selection=selection,
        chosen=chosen_labels(selection, lang),
        fitting=sum(len(step.fitting) for step in steps),
        total=sum(len(step.fitting) + len(step.other) for step in steps),
        live_available=live.available,
    )

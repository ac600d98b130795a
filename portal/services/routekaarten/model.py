"""The route maps as frozen data: translated texts, roles, offers, steps, maps and the catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from portal.config import DEFAULT_LANGUAGE, LANGUAGES

DIMENSIONS = ("zelfredzaamheid", "gezondheidsvaardigheden", "motivatie")
LEVELS = ("laag", "midden", "hoog")


@dataclass(frozen=True)
class Localized:
    """A text in one language; `lang` differs from the page's language when it fell back to Dutch."""

    text: str
    lang: str


@dataclass(frozen=True)
class Translations:
    """One text in several languages; Dutch is always there."""

    texts: Mapping[str, str]

    def for_language(self, lang: str) -> Localized:
        """The text in `lang`, or the Dutch text when there is none."""
        if lang in self.texts:
            return Localized(self.texts[lang], lang)
        return Localized(self.texts[DEFAULT_LANGUAGE], DEFAULT_LANGUAGE)

    def missing(self) -> tuple[str, ...]:
        """The portal's languages this text has not been written in."""
        return tuple(lang for lang in LANGUAGES if lang not in self.texts)


@dataclass(frozen=True)
class Role:
    """Someone involved in a step, optionally linked to organisations of the neighbourhood."""

    name: Translations
    kind: str | None
    organisations: tuple[str, ...]


@dataclass(frozen=True)
class Offer:
    """A programme of the social map, tagged with the levels it suits and why."""

    programme: str
    levels: Mapping[str, tuple[str, ...]]
    reasons: Mapping[str, Translations]

    def suits(self, dimension: str, level: str) -> bool:
        """True when the offer suits `level` on `dimension`."""
        return level in self.levels[dimension]


@dataclass(frozen=True)
class Step:
    """One step of a route map: who is involved, what happens, and any offers."""

    id: str
    icon: str | None
    title: Translations
    text: Translations
    roles: tuple[Role, ...]
    offers: tuple[Offer, ...]


@dataclass(frozen=True)
class RouteMap:
    """A route map read from one file; its slug is the file name without .yaml."""

    slug: str
    file: str
    order: int
    title: Translations
    summary: Translations
    audience: Translations
    intro: Translations | None
    illustrative_note: Translations | None
    no_fit: Translations
    steps: tuple[Step, ...]

    @property
    def offers(self) -> tuple[Offer, ...]:
        """Every offer of every step, in order."""
        return tuple(offer for step in self.steps for offer in step.offers)


@dataclass(frozen=True)
class Catalogue:
    """All route maps, in display order."""

    maps: tuple[RouteMap, ...]

    def get(self, slug: str) -> RouteMap | None:
        """The route map with this slug, or None."""
        return next((route_map for route_map in self.maps if route_map.slug == slug), None)

"""Route maps from content/routekaarten/*.yaml: read, validate, check against the database, keep on the app."""

from __future__ import annotations

import logging
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml
from flask import Flask
from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError

from portal.config import DEFAULT_LANGUAGE, LANGUAGES
from portal.extensions import db
from portal.models import Organisation, Programme
from portal.models.neighbourhood import ORGANISATION_KINDS
from portal.services.content_errors import ContentError, require
from portal.services.slugs import SLUG_PATTERN

logger = logging.getLogger(__name__)

EXTENSION_KEY = "routekaarten"
DIMENSIONS = ("zelfredzaamheid", "gezondheidsvaardigheden", "motivatie")
LEVELS = ("laag", "midden", "hoog")
ICONS = ("signaleren", "gesprek", "toeleiding", "aanbod", "terugkoppeling")
DEFAULT_ORDER = 100
_MAP_FIELDS = {"order", "title", "summary", "audience", "intro", "illustrative_note", "no_fit", "steps"}
_STEP_FIELDS = {"id", "icon", "title", "text", "roles", "offers"}
_ROLE_FIELDS = {"name", "kind", "organisations"}
_OFFER_FIELDS = {"programme", "levels", "reasons"}


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


@dataclass(frozen=True)
class DatabaseReferences:
    """What the route maps may point at: programme slugs with their status, organisation slugs."""

    programmes: Mapping[str, str]
    organisations: frozenset[str]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of `flask content check`: the maps, errors that fail it, and warnings."""

    catalogue: Catalogue
    errors: tuple[ContentError, ...]
    warnings: tuple[str, ...]


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe YAML loader (libyaml's fast parser where installed) that refuses a key given twice."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, Hashable) and key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} is given twice", key_node.start_mark)
        if isinstance(key, Hashable):
            seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506  (a SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(path.name, "file", f"cannot be read as YAML: {error}") from error
    if not isinstance(data, dict):
        raise ContentError(path.name, "file", "expected a mapping (title:, summary:, steps: ...) at the top level")
    return data


def _known_fields(data: dict, allowed: set[str], file: str, where: str) -> None:
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise ContentError(file, f"{where}.{unknown[0]}", f"unknown field; use {', '.join(sorted(allowed))}")


def _slug(value, file: str, where: str) -> str:
    if not isinstance(value, str) or not SLUG_PATTERN.match(value):
        raise ContentError(file, where, f"{value!r} is not lowercase letters, digits and hyphens")
    return value


def _translations(data: dict, key: str, file: str, where: str, *, optional: bool = False) -> Translations | None:
    texts = require(data, key, dict, file, where, optional=optional)
    if texts is None:
        return None
    unknown = sorted(str(lang) for lang in texts if lang not in LANGUAGES)
    if unknown:
        raise ContentError(file, f"{where}.{key}", f"unknown languages {unknown}; use {', '.join(LANGUAGES)}")
    if not isinstance(texts.get(DEFAULT_LANGUAGE), str) or not texts[DEFAULT_LANGUAGE].strip():
        raise ContentError(file, f"{where}.{key}.{DEFAULT_LANGUAGE}", "the Dutch text is missing")
    result = {}
    for lang in LANGUAGES:
        text = texts.get(lang)
        if text is not None and not isinstance(text, str):
            raise ContentError(file, f"{where}.{key}.{lang}", f"expected text, got {type(text).__name__}")
        if text and text.strip():
            result[lang] = text.strip()
    return Translations(MappingProxyType(result))


def _role(item, file: str, where: str) -> Role:
    if not isinstance(item, dict):
        raise ContentError(file, where, "expected a mapping with name: and optionally kind: or organisations:")
    _known_fields(item, _ROLE_FIELDS, file, where)
    kind = require(item, "kind", str, file, where, optional=True)
    if kind is not None and kind not in ORGANISATION_KINDS:
        raise ContentError(file, f"{where}.kind", f"{kind!r} is not one of {', '.join(ORGANISATION_KINDS)}")
    slugs = require(item, "organisations", list, file, where, optional=True) or []
    if kind is not None and slugs:
        raise ContentError(file, f"{where}.organisations", "give kind: or organisations:, not both")
    organisations = tuple(_slug(slug, file, f"{where}.organisations[{i}]") for i, slug in enumerate(slugs))
    return Role(_translations(item, "name", file, where), kind, organisations)


def _levels(item: dict, file: str, where: str) -> Mapping[str, tuple[str, ...]]:
    levels = require(item, "levels", dict, file, where)
    _known_fields(levels, set(DIMENSIONS), file, f"{where}.levels")
    result = {}
    for dimension in DIMENSIONS:
        at = f"{where}.levels.{dimension}"
        values = require(levels, dimension, list, file, f"{where}.levels")
        if not values:
            raise ContentError(file, at, f"name at least one of {', '.join(LEVELS)}")
        for value in values:
            if value not in LEVELS:
                raise ContentError(file, at, f"{value!r} is not one of {', '.join(LEVELS)}")
        if len(set(values)) != len(values):
            raise ContentError(file, at, "a level is named twice")
        result[dimension] = tuple(level for level in LEVELS if level in values)
    return MappingProxyType(result)


def _offer(item, file: str, where: str) -> Offer:
    if not isinstance(item, dict):
        raise ContentError(file, where, "expected a mapping with programme:, levels: and reasons:")
    _known_fields(item, _OFFER_FIELDS, file, where)
    programme = _slug(require(item, "programme", str, file, where), file, f"{where}.programme")
    levels = _levels(item, file, where)
    reasons_data = require(item, "reasons", dict, file, where)
    _known_fields(reasons_data, set(DIMENSIONS), file, f"{where}.reasons")
    reasons = {dimension: _translations(reasons_data, dimension, file, f"{where}.reasons") for dimension in DIMENSIONS}
    return Offer(programme, levels, MappingProxyType(reasons))


def _step(item, index: int, file: str) -> Step:
    if not isinstance(item, dict):
        raise ContentError(file, f"steps[{index}]", "expected a mapping with id:, title:, text: ...")
    step_id = _slug(require(item, "id", str, file, f"steps[{index}]"), file, f"steps[{index}].id")
    where = f"step '{step_id}'"
    _known_fields(item, _STEP_FIELDS, file, where)
    icon = require(item, "icon", str, file, where, optional=True)
    if icon is not None and icon not in ICONS:
        raise ContentError(file, f"{where}.icon", f"{icon!r} is not one of {', '.join(ICONS)}")
    roles = require(item, "roles", list, file, where, optional=True) or []
    offers = require(item, "offers", list, file, where, optional=True) or []
    return Step(
        id=step_id,
        icon=icon,
        title=_translations(item, "title", file, where),
        text=_translations(item, "text", file, where),
        roles=tuple(_role(role, file, f"{where}.roles[{i}]") for i, role in enumerate(roles)),
        offers=tuple(_offer(offer, file, f"{where}.offers[{i}]") for i, offer in enumerate(offers)),
    )


def _unique(steps: list[Step], file: str) -> None:
    first_step: dict[str, int] = {}
    first_offer: dict[str, str] = {}
    for index, step in enumerate(steps):
        if step.id in first_step:
            raise ContentError(
                file, f"step '{step.id}' (steps[{index}]).id", f"is used twice (first at steps[{first_step[step.id]}])"
            )
        first_step[step.id] = index
        for i, offer in enumerate(step.offers):
            if offer.programme in first_offer:
                raise ContentError(
                    file,
                    f"step '{step.id}'.offers[{i}].programme",
                    f"{offer.programme!r} is listed twice (also in step '{first_offer[offer.programme]}')",
                )
            first_offer[offer.programme] = step.id


def parse_route_map(path: Path) -> RouteMap:
    """Read and validate one route-map file; raise ContentError naming file, step and field."""
    file = path.name
    slug = _slug(path.stem, file, "file name")
    data = _read(path)
    _known_fields(data, _MAP_FIELDS, file, "map")
    order = require(data, "order", int, file, "map", optional=True)
    items = require(data, "steps", list, file, "map")
    if not items:
        raise ContentError(file, "map.steps", "a route map needs at least one step")
    steps = [_step(item, index, file) for index, item in enumerate(items)]
    _unique(steps, file)
    return RouteMap(
        slug=slug,
        file=file,
        order=DEFAULT_ORDER if order is None else order,
        title=_translations(data, "title", file, "map"),
        summary=_translations(data, "summary", file, "map"),
        audience=_translations(data, "audience", file, "map"),
        intro=_translations(data, "intro", file, "map", optional=True),
        illustrative_note=_translations(data, "illustrative_note", file, "map", optional=True),
        no_fit=_translations(data, "no_fit", file, "map"),
        steps=tuple(steps),
    )


def load_route_maps(directory: Path) -> Catalogue:
    """Every *.yaml file in `directory` as a validated route map; a missing directory means none."""
    paths = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    maps = [parse_route_map(path) for path in paths]
    return Catalogue(tuple(sorted(maps, key=lambda route_map: (route_map.order, route_map.slug))))


def read_database_references() -> DatabaseReferences | None:
    """Programme and organisation slugs in the database; None when there is no programmes table yet."""
    if not inspect(db.engine).has_table(Programme.__tablename__):
        return None
    programmes = dict(db.session.execute(select(Programme.slug, Programme.status)).all())
    organisations = frozenset(db.session.scalars(select(Organisation.slug)))
    return DatabaseReferences(MappingProxyType(programmes), organisations)


def reference_errors(catalogue: Catalogue, references: DatabaseReferences) -> list[ContentError]:
    """An error for every programme or organisation slug that names nothing in the database."""
    errors = []
    for route_map in catalogue.maps:
        for step in route_map.steps:
            for i, offer in enumerate(step.offers):
                if offer.programme not in references.programmes:
                    where = f"step '{step.id}'.offers[{i}].programme"
                    errors.append(ContentError(route_map.file, where, f"{offer.programme!r} names no programme"))
            for i, role in enumerate(step.roles):
                for j, slug in enumerate(role.organisations):
                    if slug not in references.organisations:
                        where = f"step '{step.id}'.roles[{i}].organisations[{j}]"
                        errors.append(ContentError(route_map.file, where, f"{slug!r} names no organisation"))
    return errors


def content_warnings(catalogue: Catalogue, references: DatabaseReferences | None = None) -> list[str]:
    """Texts not yet translated, and offers whose programme is not published (not shown on the page)."""
    warnings = []
    for route_map in catalogue.maps:
        for where, texts in _all_texts(route_map):
            if texts.missing():
                warnings.append(f"{route_map.file}: {where}: no text in {', '.join(texts.missing())} (Dutch is shown)")
        for step in route_map.steps:
            for i, offer in enumerate(step.offers):
                status = references.programmes.get(offer.programme) if references else None
                if status not in (None, "published"):
                    warnings.append(
                        f"{route_map.file}: step '{step.id}'.offers[{i}].programme: "
                        f"{offer.programme!r} is {status}, so the page leaves it out"
                    )
    return warnings


def _all_texts(route_map: RouteMap):
    for key in ("title", "summary", "audience", "intro", "illustrative_note", "no_fit"):
        if getattr(route_map, key) is not None:
            yield f"map.{key}", getattr(route_map, key)
    for step in route_map.steps:
        yield f"step '{step.id}'.title", step.title
        yield f"step '{step.id}'.text", step.text
        for i, role in enumerate(step.roles):
            yield f"step '{step.id}'.roles[{i}].name", role.name
        for i, offer in enumerate(step.offers):
            for dimension in DIMENSIONS:
                yield f"step '{step.id}'.offers[{i}].reasons.{dimension}", offer.reasons[dimension]


def content_directory(app: Flask) -> Path:
    """Where the route-map files of this app live."""
    return Path(app.config["PORTAL_CONTENT_DIR"]) / "routekaarten"


def check_content(directory: Path) -> CheckResult:
    """Validate the files and always check their slugs against the database (for `flask content check`).

    Raises ContentError for a malformed file; database problems come back as errors in the result."""
    catalogue = load_route_maps(directory)
    try:
        references = read_database_references()
    except SQLAlchemyError as error:
        db.session.rollback()
        problem = ContentError("database", "programmes", f"cannot be read ({type(error).__name__})")
        return CheckResult(catalogue, (problem,), ())
    if references is None:
        problem = ContentError("database", "programmes", "the table does not exist yet: run `flask db upgrade` first")
        return CheckResult(catalogue, (problem,), ())
    return CheckResult(
        catalogue, tuple(reference_errors(catalogue, references)), tuple(content_warnings(catalogue, references))
    )


def _check_database_at_start(app: Flask, catalogue: Catalogue) -> None:
    """Check slugs when the database has programmes; skip with a warning while it has none."""
    try:
        with app.app_context():
            try:
                references = read_database_references()
            finally:
                db.session.remove()  # give the connection back, then close it:
                db.engine.dispose()  # start-up leaves no pooled connection behind (nor one to fork)
    except SQLAlchemyError as error:
        logger.warning("route maps: the database could not be read (%s); slugs not checked", type(error).__name__)
        return
    if references is None or not references.programmes:
        logger.warning(
            "route maps: the database has no programmes yet; slugs not checked "
            "(run `flask content check` once the programmes are loaded)"
        )
        return
    errors = reference_errors(catalogue, references)
    if errors:
        raise errors[0]


def init_app(app: Flask) -> None:
    """Load and validate every route map at start-up; a broken file raises ContentError and stops the app."""
    try:
        catalogue = load_route_maps(content_directory(app))
        _check_database_at_start(app, catalogue)
    except ContentError as error:
        logger.error("route maps: %s", error)
        raise
    app.extensions[EXTENSION_KEY] = catalogue

"""Reading one route-map file: YAML with unique keys, parsed and validated into the model."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from pathlib import Path
from types import MappingProxyType

import yaml

from portal.config import DEFAULT_LANGUAGE, LANGUAGES
from portal.models.neighbourhood import ORGANISATION_KINDS
from portal.services.content_errors import ContentError, require
from portal.services.routekaarten.model import DIMENSIONS, LEVELS, Catalogue, Offer, Role, RouteMap, Step, Translations
from portal.services.slugs import SLUG_PATTERN

ICONS = ("signaleren", "gesprek", "toeleiding", "aanbod", "terugkoppeling")
DEFAULT_ORDER = 100
_MAP_FIELDS = {"order", "title", "summary", "audience", "intro", "illustrative_note", "no_fit", "steps"}
_STEP_FIELDS = {"id", "icon", "title", "text", "roles", "offers"}
_ROLE_FIELDS = {"name", "kind", "organisations"}
_OFFER_FIELDS = {"programme", "levels", "reasons"}


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

"""Route maps against the database: slugs that name nothing, untranslated texts, `flask content check`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.models import Organisation, Programme
from portal.services.content_errors import ContentError
from portal.services.routekaarten.model import DIMENSIONS, Catalogue, RouteMap
from portal.services.routekaarten.reading import load_route_maps


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


def archived_offer_errors(catalogue: Catalogue, references: DatabaseReferences) -> list[ContentError]:
    """An error for every offer whose programme is archived: `flask content check` fails until the map is mended.

    Start-up does not stop for it, so archiving a programme never keeps the portal from starting."""
    errors = []
    for route_map in catalogue.maps:
        for step in route_map.steps:
            for i, offer in enumerate(step.offers):
                if references.programmes.get(offer.programme) == "archived":
                    where = f"step '{step.id}'.offers[{i}].programme"
                    errors.append(ContentError(route_map.file, where, f"{offer.programme!r} is archived"))
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
                if status not in (None, "published", "archived"):
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


def check_content(directory: Path) -> CheckResult:
    """Validate the files (ContentError if malformed) and check their slugs; database problems become errors."""
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
    errors = reference_errors(catalogue, references) + archived_offer_errors(catalogue, references)
    return CheckResult(catalogue, tuple(errors), tuple(content_warnings(catalogue, references)))

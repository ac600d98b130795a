"""The route maps kept on the app: read and checked at start-up, where their files live, the catalogue."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.services.content_errors import ContentError
from portal.services.routekaarten.checks import read_database_references, reference_errors
from portal.services.routekaarten.model import Catalogue
from portal.services.routekaarten.reading import load_route_maps

logger = logging.getLogger(__name__)

EXTENSION_KEY = "routekaarten"


def content_directory(app: Flask) -> Path:
    """Where the route-map files of this app live."""
    return Path(app.config["PORTAL_CONTENT_DIR"]) / "routekaarten"


def current_catalogue() -> Catalogue:
    """The route maps loaded at start-up by the current app."""
    return current_app.extensions[EXTENSION_KEY]


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

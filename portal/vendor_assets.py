"""Leaflet and its marker-cluster plugin, served by the portal itself from the xstatic packages."""

from __future__ import annotations

import xstatic.pkg.leaflet as leaflet
import xstatic.pkg.leaflet_markercluster as markercluster
from flask import Blueprint, Flask

from portal.access import declare
from portal.services.policy import PUBLIC

LEAFLET_PREFIX = f"/static/vendor/leaflet-{leaflet.VERSION}"
MARKERCLUSTER_PREFIX = f"/static/vendor/leaflet.markercluster-{markercluster.VERSION}"


def init_app(app: Flask) -> None:
    """Serve the packaged files under versioned URLs (safe to cache for a long time)."""
    app.register_blueprint(
        Blueprint("leaflet", __name__, static_folder=leaflet.BASE_DIR, static_url_path=LEAFLET_PREFIX)
    )
    app.register_blueprint(
        Blueprint("markercluster", __name__, static_folder=markercluster.BASE_DIR, static_url_path=MARKERCLUSTER_PREFIX)
    )
    declare("leaflet.static", PUBLIC)
    declare("markercluster.static", PUBLIC)

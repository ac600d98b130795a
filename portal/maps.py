"""Leaflet maps built with folium, with every asset served locally and the init script hashed for CSP."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import folium
from flask import url_for
from folium.plugins import MarkerCluster
from markupsafe import Markup

MAP_ID = "wijkmap"
CLUSTER_ID = "wijkcluster"


@dataclass(frozen=True)
class RenderedMap:
    """The parts of a folium map that a page places: container, init script and its CSP hash."""

    container: Markup
    script: Markup
    script_hash: str


@dataclass(frozen=True)
class MapAssets:
    """Local URLs of Leaflet (and the cluster plugin), in load order."""

    scripts: tuple[str, ...]
    styles: tuple[str, ...]


def map_assets(with_cluster: bool) -> MapAssets:
    """The portal's own URLs for Leaflet and, if asked, Leaflet.markercluster."""
    scripts = [url_for("leaflet.static", filename="leaflet.js")]
    styles = [url_for("leaflet.static", filename="leaflet.css")]
    if with_cluster:
        scripts.append(url_for("markercluster.static", filename="leaflet.markercluster.js"))
        styles += [
            url_for("markercluster.static", filename="MarkerCluster.css"),
            url_for("markercluster.static", filename="MarkerCluster.Default.css"),
        ]
    return MapAssets(tuple(scripts), tuple(styles))


def script_hash(script: str) -> str:
    """The CSP source expression ('sha256-…') that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@lru_cache(maxsize=64)
def render_map(
    latitude: float, longitude: float, zoom: int, tile_url: str, attribution: str, assets: MapAssets, cluster: bool
) -> RenderedMap:
    """A folium map centred on a point, optionally with an empty marker cluster that JavaScript fills.

    Pure in its arguments, so the result is memoised; no user-entered text reaches folium."""
    map_ = folium.Map(
        location=[latitude, longitude],
        zoom_start=zoom,
        tiles=tile_url,
        attr=attribution,
        max_zoom=19,
        control_scale=True,
    )
    map_._id = MAP_ID
    map_.default_js = [(f"js{i}", url) for i, url in enumerate(assets.scripts[:1])]
    map_.default_css = [(f"css{i}", url) for i, url in enumerate(assets.styles[:1])]
    if cluster:
        layer = MarkerCluster(name="locations", options={"chunkedLoading": True, "showCoverageOnHover": False})
        layer._id = CLUSTER_ID
        layer.default_js = [(f"cjs{i}", url) for i, url in enumerate(assets.scripts[1:])]
        layer.default_css = [(f"ccss{i}", url) for i, url in enumerate(assets.styles[1:])]
        layer.add_to(map_)
    figure = map_.get_root()
    figure.render()
    container = figure.html.render()
    script = figure.script.render()
    return RenderedMap(Markup(container), Markup(script), script_hash(script))  # noqa: S704  (folium output, no user text)

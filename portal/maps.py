"""Leaflet maps built with folium; every asset, folium's init script included, is served by the portal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import folium
from flask import current_app, url_for
from folium.plugins import MarkerCluster
from markupsafe import Markup

MAP_ID = "wijkmap"
CLUSTER_ID = "wijkcluster"
MIN_ZOOM, MAX_ZOOM = 1, 19


@dataclass(frozen=True)
class MapAssets:
    """Local URLs of Leaflet (and the cluster plugin), in load order."""

    scripts: tuple[str, ...]
    styles: tuple[str, ...]

    def as_json(self) -> str:
        """For a data attribute that social-map.js reads."""
        return json.dumps({"scripts": self.scripts, "styles": self.styles})


@dataclass(frozen=True)
class MapView:
    """Where a map is centred, how far it is zoomed, and whether it clusters markers."""

    latitude: float
    longitude: float
    zoom: int
    cluster: bool


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


def init_script_url(view: MapView) -> str:
    """The URL of folium's init script for this view; `v` changes with the release and configuration."""
    return url_for(
        "map_init.script",
        lat=f"{view.latitude:.5f}",
        lng=f"{view.longitude:.5f}",
        zoom=view.zoom,
        cluster=int(view.cluster),
        v=current_app.extensions["page_cache_fingerprint"],
    )


def map_container() -> Markup:
    """The element folium's script draws the map into."""
    return Markup(f'<div class="folium-map" id="map_{MAP_ID}"></div>')  # noqa: S704  (a constant)


INIT_PARTS = ("map", "layers")


def init_script(view: MapView, tile_url: str, attribution: str, part: str | None = None) -> str:
    """folium's JavaScript for a map with this view: tiles and, if asked, an empty marker cluster.

    `part` "map" is the map alone, "layers" its tiles and cluster (run after "map", as a task of its own so
    that neither blocks the page for long); None is both."""
    whole, *parts = _init_parts(view, tile_url, attribution)
    return whole if part is None else parts[INIT_PARTS.index(part)]


@lru_cache(maxsize=256)
def _init_parts(view: MapView, tile_url: str, attribution: str) -> tuple[str, str, str]:
    """The whole script, the map's own and its layers'; pure in its arguments (numbers and configured strings), so
    memoised. folium declares each object with a top-level `var`, a global the second script finds."""
    map_ = folium.Map(
        location=[view.latitude, view.longitude],
        zoom_start=view.zoom,
        tiles=None,
        max_zoom=MAX_ZOOM,
        control_scale=True,
    )
    map_._id = MAP_ID
    # Sharp tiles on phone screens (Leaflet asks for the next zoom level at half size).
    folium.TileLayer(tiles=tile_url, attr=attribution, max_zoom=MAX_ZOOM, detect_retina=True).add_to(map_)
    if view.cluster:
        # Markers are added in chunks of 10 ms with 20 ms for the page in between, so it never blocks for long
        # (a phone's CPU, 4 times slower, still stays under 50 ms a task), even with 500 locations.
        options = {"chunkedLoading": True, "chunkInterval": 10, "chunkDelay": 20, "showCoverageOnHover": False}
        layer = MarkerCluster(name="locations", options=options)
        layer._id = CLUSTER_ID
        layer.add_to(map_)
    figure = map_.get_root()
    figure.render()
    scripts = dict(figure.script._children)
    own = scripts.pop(map_.get_name()).render()
    return figure.script.render(), own, "".join(child.render() for child in scripts.values())

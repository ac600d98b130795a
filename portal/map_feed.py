"""The social map's GeoJSON feed: compact markers of the places in a box, or one place with its programmes."""

from __future__ import annotations

import functools
import json
from urllib.parse import quote

from flask import current_app, url_for
from flask_babel import force_locale

from portal.labels import category_search_words
from portal.models.base import MAX_ID
from portal.services.social_map.filters import ProgrammeFilters
from portal.services.social_map.map_box import BadBox, Box, box_around, parse_box, snap
from portal.services.social_map.map_locations import location_detail, map_points
from portal.template_helpers import default_neighbourhood, format_day_time

MAX_PROGRAMMES_PER_POPUP = 8
COORDINATE_DECIMALS = 5  # about a metre: more says nothing on a map and costs bytes


def feed_box(args) -> Box:
    """The snapped `bbox` of the query string, or the neighbourhood's box without one; BadBox if it is odd."""
    given = args.getlist("bbox")
    if len(given) > 1:
        raise BadBox("more than one box")
    if given:
        return snap(parse_box(given[0]))
    hood = default_neighbourhood(current_app.config["PORTAL_NEIGHBOURHOOD"])
    return box_around(*((hood.latitude, hood.longitude, hood.zoom) if hood else (52.09, 5.12, 13)))


def feed_location(args) -> int | None:
    """The `location` id of the query string, None without one; BadBox unless it is one plain id in range."""
    given = args.getlist("location")
    if not given:
        return None
    if len(given) > 1 or not (given[0].isascii() and given[0].isdigit() and len(given[0]) <= 10):
        raise BadBox("not one location id")
    location_id = int(given[0])
    if not 0 < location_id <= MAX_ID:
        raise BadBox("location id out of range")
    return location_id


def _geometry(latitude: float, longitude: float) -> dict:
    coordinates = [round(longitude, COORDINATE_DECIMALS), round(latitude, COORDINATE_DECIMALS)]
    return {"type": "Point", "coordinates": coordinates}


def marker_collection(filters: ProgrammeFilters, box: Box, lang: str) -> str:
    """The places with matching programmes in `box` as GeoJSON text: id, point and name each, at most MAX_POINTS.

    `truncated` says there were more (the map asks the visitor to zoom in); `bbox` is the box answered. Written
    as text from a fixed shape (json.dumps for the names): a few hundred small strings instead of a thousand
    dicts and lists for the garbage collector to walk."""
    points, truncated = map_points(filters, box, lang, category_words=category_search_words(lang))
    features = ",".join(
        f'{{"type":"Feature","id":{p.id},"geometry":{{"type":"Point","coordinates":'
        f"[{round(p.longitude, COORDINATE_DECIMALS)!r},{round(p.latitude, COORDINATE_DECIMALS)!r}]}},"
        f'"properties":{{"name":{json.dumps(p.name)}}}}}'
        for p in points
    )
    head = f'"type":"FeatureCollection","bbox":{json.dumps(box.as_list())},"truncated":{json.dumps(truncated)}'
    return f'{{{head},"features":[{features}]}}'


def _popup(location, lang: str) -> dict:
    pattern = url_for("programmes.detail", lang=lang, slug="slug").rsplit("/", 1)[0] + "/"
    day_time = functools.cache(format_day_time)
    programmes = [
        {
            "title": p.title,
            "lang": p.title_locale,
            "url": pattern + quote(p.slug),
            "next": day_time(p.next_start) if p.next_start else None,
        }
        for p in location.programmes[:MAX_PROGRAMMES_PER_POPUP]
    ]
    return {
        "name": location.name,
        "address": f"{location.street} {location.house_number}, {location.postcode} {location.city}",
        "wheelchair_accessible": location.wheelchair_accessible,
        "programmes": programmes,
        "more": max(len(location.programmes) - MAX_PROGRAMMES_PER_POPUP, 0),
    }


def location_collection(filters: ProgrammeFilters, location_id: int, lang: str) -> dict:
    """One place with its matching programmes (a popup's content), or no feature if there is no such place."""
    with force_locale(lang):
        location = location_detail(location_id, filters, lang, category_words=category_search_words(lang))
        features = (
            [
                {
                    "type": "Feature",
                    "id": location.id,
                    "geometry": _geometry(location.latitude, location.longitude),
                    "properties": _popup(location, lang),
                }
            ]
            if location is not None
            else []
        )
    return {"type": "FeatureCollection", "features": features}

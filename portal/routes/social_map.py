"""The social map on a folium/Leaflet map, with the same filters as the list and a text list beside it."""

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale

from portal.access import policy
from portal.day_time import day_time_formatter
from portal.filter_options import filter_options
from portal.i18n import current_language
from portal.labels import category_search_words
from portal.maps import MapView, init_script_url, map_assets
from portal.page_cache import cached_page
from portal.services.policy import PUBLIC
from portal.services.social_map.filters import parse_filters, parse_page
from portal.services.social_map.map_locations import location_page
from portal.template_helpers import default_neighbourhood

bp = Blueprint("social_map", __name__)


@bp.get("")
@policy(PUBLIC)
@cached_page
def index():
    """The map page: markers come from the GeoJSON feed; the locations are also listed as text."""
    parsed = parse_filters(request.args)
    filters = parsed.filters
    lang = current_language()
    hood = default_neighbourhood(current_app.config["PORTAL_NEIGHBOURHOOD"])
    latitude, longitude, zoom = (hood.latitude, hood.longitude, hood.zoom) if hood else (52.09, 5.12, 13)
    view = MapView(latitude, longitude, zoom, cluster=True)
    places = location_page(
        filters, lang, parse_page(request.args.get("page")), category_words=category_search_words(lang)
    )
    query = filters.query_string()
    # One URL pattern and one date formatter for the list's hundred or so programmes.
    programme_url = url_for("programmes.detail", lang=lang, slug="slug").rsplit("/", 1)[0] + "/"
    feed_url = url_for("api.map_locations_feed", lang=lang) + (f"&{query}" if query else "")
    return render_template(
        "social_map/index.html",
        parsed=parsed,
        filters=filters,
        options=filter_options(),
        map_assets=map_assets(with_cluster=True),
        map_init_url=init_script_url(view),
        feed_url=feed_url,
        locations=places.locations,
        location_count=places.location_count,
        programme_count=places.programme_count,
        page=places.page,
        pages=places.pages,
        per_page=places.per_page,
        programme_url=programme_url,
        start_text=day_time_formatter(str(get_locale())),
    )

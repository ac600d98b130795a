"""Machine-facing endpoints under /api/v1 (no language prefix): the social map's GeoJSON feed, calendar feeds."""

import functools
from urllib.parse import quote

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.access import policy
from portal.config import LANGUAGES
from portal.extensions import db, limiter
from portal.labels import category_search_words
from portal.page_cache import cached_page
from portal.services.booking import calendar_feeds
from portal.services.booking.calendar_ics import feed_calendar
from portal.services.booking.mail import booking_url
from portal.services.booking.queries import feed_bookings
from portal.services.policy import PUBLIC
from portal.services.social_map.filters import parse_filters
from portal.services.social_map.map_locations import map_locations
from portal.template_helpers import format_day_time

bp = Blueprint("api", __name__)
MAX_PROGRAMMES_PER_POPUP = 8


def _feature(location, programme_url, day_time) -> dict:
    programmes = [
        {
            "title": p.title,
            "lang": p.title_locale,
            "url": programme_url(p.slug),
            "next": day_time(p.next_start) if p.next_start else None,
        }
        for p in location.programmes[:MAX_PROGRAMMES_PER_POPUP]
    ]
    return {
        "type": "Feature",
        "id": location.id,
        "geometry": {"type": "Point", "coordinates": [location.longitude, location.latitude]},
        "properties": {
            "name": location.name,
            "address": f"{location.street} {location.house_number}, {location.postcode} {location.city}",
            "wheelchair_accessible": location.wheelchair_accessible,
            "programmes": programmes,
            "more": max(len(location.programmes) - MAX_PROGRAMMES_PER_POPUP, 0),
        },
    }


def _feature_collection(lang: str, filters) -> dict:
    # Thousands of popups share one URL pattern and a few hundred session times: build and format each once.
    pattern = url_for("programmes.detail", lang=lang, slug="slug").rsplit("/", 1)[0] + "/"
    with force_locale(lang):
        words = category_search_words(lang)
        day_time = functools.cache(format_day_time)
        locations = map_locations(filters, lang, category_words=words)
        features = [_feature(location, lambda slug: pattern + quote(slug), day_time) for location in locations]
    return {"type": "FeatureCollection", "features": features}


@bp.get("/map/locations.geojson")
@policy(PUBLIC)
@cached_page
def map_locations_feed():
    """Locations with matching programmes as GeoJSON; same filters as the list; `lang` picks the texts."""
    lang = request.args.get("lang", "nl")
    if lang not in LANGUAGES:
        abort(400)
    filters = parse_filters(request.args).filters
    response = jsonify(_feature_collection(lang, filters))
    response.mimetype = "application/geo+json"
    return response


@bp.get("/calendar/<token>.ics")
@policy(PUBLIC)
@limiter.limit("120 per hour")
def calendar_feed(token: str):
    """A resident's booked places as an iCalendar feed; the secret token in the URL is the only key."""
    user = calendar_feeds.feed_user(token)
    if user is None:
        abort(404)
    bookings = feed_bookings(user)
    db.session.commit()
    with force_locale(user.locale):
        name = _("Wijkportaal: my appointments")
        body = feed_calendar(
            bookings,
            user.locale,
            name,
            lambda booking: booking_url(booking, user.locale),
        )
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response

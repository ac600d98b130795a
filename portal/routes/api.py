"""Machine-facing endpoints under /api/v1 (no language prefix): the social map's GeoJSON feed, calendar feeds."""

from flask import Blueprint, abort, current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _

from portal import map_feed
from portal.access import policy
from portal.config import LANGUAGES
from portal.extensions import db, limiter
from portal.page_cache import cached_page
from portal.services.booking import calendar_feeds
from portal.services.booking.calendar_ics import feed_calendar
from portal.services.booking.mail import booking_url
from portal.services.booking.queries import feed_bookings
from portal.services.policy import PUBLIC
from portal.services.social_map.filters import parse_filters
from portal.services.social_map.map_box import BadBox

bp = Blueprint("api", __name__)


@bp.get("/map/locations.geojson")
@policy(PUBLIC)
@cached_page
def map_locations_feed():
    """Places with matching programmes as GeoJSON, same filters as the list, `lang` picks the texts.

    Markers (id, point, name) of the places inside `bbox=west,south,east,north` (snapped to a grid; without
    it the neighbourhood's box), at most a fixed number; with `location=<id>` that one place with its
    programmes instead, for its popup. Odd input is a 400."""
    lang = request.args.get("lang", "nl")
    if lang not in LANGUAGES:
        abort(400)
    filters = parse_filters(request.args).filters
    try:
        location_id = map_feed.feed_location(request.args)
        box = map_feed.feed_box(request.args) if location_id is None else None
    except BadBox:
        abort(400)
    if box is None:
        response = jsonify(map_feed.location_collection(filters, location_id, lang))
    else:
        response = current_app.response_class(map_feed.marker_collection(filters, box, lang))
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

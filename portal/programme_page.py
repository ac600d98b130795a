"""The programme page: shown to everyone, and to a beweegmakelaar as the preview of a draft."""

from flask import render_template
from flask_babel import get_locale
from flask_login import current_user

from portal.day_time import clock_formatter, day_time_formatter
from portal.i18n import current_language
from portal.links import id_urls
from portal.maps import MapView, init_script_url, map_assets
from portal.services.booking.queries import active_bookings
from portal.services.listings.editing import may_be_outdated
from portal.services.listings.session_planning import local_today
from portal.services.routekaarten.pages import route_maps_with_programme
from portal.services.social_map.programme_detail import upcoming_sessions
from portal.structured_data import programme_json_ld


def render_detail(programme, preview: bool = False):
    """The public programme page; with preview=True for a beweegmakelaar's draft (no structured data)."""
    slug = programme.slug
    sessions = upcoming_sessions(programme)
    mine = {}
    if current_user.is_authenticated and current_user.role == "resident":
        mine = active_bookings(current_user, [session.id for session in sessions])
    map_init_url = None
    if programme.location is not None:
        location = programme.location
        map_init_url = init_script_url(MapView(location.latitude, location.longitude, 16, cluster=False))
    return render_template(
        "programmes/detail.html",
        programme=programme,
        sessions=sessions,
        mine=mine,
        map_assets=map_assets(with_cluster=False),
        map_init_url=map_init_url,
        json_ld=None if preview else programme_json_ld(programme, sessions, current_language()),
        route_maps=route_maps_with_programme(slug, current_language()),
        preview=preview,
        outdated=may_be_outdated(programme, local_today()),
        # One formatter each and one URL pattern for the sessions list, not a filter and url_for per session.
        start_text=day_time_formatter(str(get_locale())),
        end_text=clock_formatter(),
        book_url=id_urls("booking.book", "session_id"),
    )

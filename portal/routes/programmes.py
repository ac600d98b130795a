"""The social map as a searchable list, and one programme with its upcoming sessions."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from portal.access import policy
from portal.filter_options import filter_options
from portal.i18n import current_language
from portal.labels import category_search_words
from portal.maps import MapView, init_script_url, map_assets
from portal.page_cache import cached_page
from portal.services.booking.queries import active_bookings
from portal.services.listings.editing import may_be_outdated
from portal.services.listings.session_planning import local_today
from portal.services.policy import PUBLIC
from portal.services.routekaarten.pages import route_maps_with_programme
from portal.services.social_map.filters import parse_filters, parse_page
from portal.services.social_map.programmes import get_published, upcoming_sessions
from portal.services.social_map.search import search_programmes
from portal.structured_data import programme_json_ld

bp = Blueprint("programmes", __name__)


@bp.get("")
@policy(PUBLIC)
@cached_page
def index():
    """Published programmes matching the search and filters, a page at a time."""
    parsed = parse_filters(request.args)
    lang = current_language()
    results = search_programmes(
        parsed.filters, lang, page=parse_page(request.args.get("page")), category_words=category_search_words(lang)
    )
    return render_template(
        "programmes/index.html", parsed=parsed, filters=parsed.filters, results=results, options=filter_options()
    )


@bp.get("/<slug:slug>")
@policy(PUBLIC)
@cached_page
def detail(slug: str):
    """One programme: what it is, where, when it meets next and which route maps name it."""
    programme = get_published(slug)
    if programme is None:
        abort(404)
    return render_detail(programme)


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
    )

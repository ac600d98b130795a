"""Route maps: the overview, and one map with its steps and the offers that fit a resident."""

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import get_locale

from portal.access import policy
from portal.day_time import day_time_formatter
from portal.i18n import current_language
from portal.page_cache import cached_page
from portal.services.policy import PUBLIC
from portal.services.routekaarten.pages import get_route_map, list_route_maps, route_map_page
from portal.services.routekaarten.selector import parse_selection, selector_fields
from portal.template_helpers import default_neighbourhood

bp = Blueprint("routekaarten", __name__)


@bp.get("")
@policy(PUBLIC)
@cached_page
def index():
    """Every route map with a one-line summary and who it is for."""
    return render_template("routekaarten/index.html", route_maps=list_route_maps(current_language()))


@bp.get("/<slug:slug>")
@policy(PUBLIC)
@cached_page
def detail(slug: str):
    """One route map: its steps, who is involved, and the offers that fit the chosen levels."""
    route_map = get_route_map(slug)
    if route_map is None:
        abort(404)
    selection = parse_selection(request.args.to_dict(flat=False))
    hood = default_neighbourhood(current_app.config["PORTAL_NEIGHBOURHOOD"])
    page = route_map_page(route_map, selection, current_language(), hood.id if hood else None)
    return render_template(
        "routekaarten/detail.html",
        page=page,
        fields=selector_fields(selection, current_language()),
        # One URL pattern for the offers' programmes, one icon URL per category and one date formatter per page.
        programme_url=url_for("programmes.detail", slug="slug").rsplit("/", 1)[0] + "/",
        category_icons={code: url_for("static", filename=f"icons/category-{code}.svg") for code in page.categories},
        start_text=day_time_formatter(str(get_locale())),
    )

"""Who works together in the neighbourhood network."""

from flask import Blueprint, abort, current_app, render_template

from portal.access import policy
from portal.links import id_urls
from portal.page_cache import cached_page
from portal.services.neighbourhoods import organisations_by_kind
from portal.services.policy import PUBLIC
from portal.template_helpers import default_neighbourhood

bp = Blueprint("organisations", __name__)


@bp.get("")
@policy(PUBLIC)
@cached_page
def index():
    """The neighbourhood's organisations, grouped by kind, with how to reach them."""
    hood = default_neighbourhood(current_app.config["PORTAL_NEIGHBOURHOOD"])
    if hood is None:
        abort(404)
    return render_template(
        "organisations/index.html",
        groups=organisations_by_kind(hood),
        ask_url=id_urls("care_team.ask", "organisation_id"),  # one pattern, not url_for each
    )

"""folium's map init script as a same-origin file, so pages need no inline script at all."""

from flask import Blueprint, abort, current_app, request

from portal.access import policy
from portal.maps import INIT_PARTS, MAX_ZOOM, MIN_ZOOM, MapView, init_script
from portal.services.policy import PUBLIC

bp = Blueprint("map_init", __name__)


def _view() -> MapView:
    try:
        latitude = float(request.args["lat"])
        longitude = float(request.args["lng"])
        zoom = int(request.args["zoom"])
        cluster = request.args.get("cluster", "0")
    except (KeyError, ValueError):
        abort(400)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180 and MIN_ZOOM <= zoom <= MAX_ZOOM) or cluster not in (
        "0",
        "1",
    ):
        abort(400)
    return MapView(round(latitude, 5), round(longitude, 5), zoom, cluster == "1")


@bp.get("/map-init.js")
@policy(PUBLIC)
def script():
    """The init script (or one part of it) for one map view; it depends only on the view and the tile server."""
    config = current_app.config
    part = request.args.get("part")
    if part is not None and part not in INIT_PARTS:
        abort(400)
    body = init_script(_view(), config["PORTAL_TILE_URL"], config["PORTAL_TILE_ATTRIBUTION"], part)
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.add_etag()
    return response.make_conditional(request)

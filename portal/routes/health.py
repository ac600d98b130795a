"""/healthz: JSON health for load balancers; says nothing about the configuration."""

from flask import Blueprint, jsonify

from portal.access import policy
from portal.services.health import database_ok, rate_limit_store
from portal.services.policy import PUBLIC

bp = Blueprint("health", __name__)


@bp.get("/livez")
@policy(PUBLIC)
def livez():
    """Liveness: the process answers; touches nothing else (also the benchmark's baseline)."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/healthz")
@policy(PUBLIC)
def healthz():
    """200 when the database answers (degraded while Redis does not), 503 when the database does not."""
    if database_ok():
        redis = rate_limit_store()
        response = jsonify({"status": "degraded" if redis == "unavailable" else "ok", "redis": redis})
    else:
        response = jsonify({"status": "unavailable"})
        response.status_code = 503
    response.headers["Cache-Control"] = "no-store"
    return response

"""Routes declare a policy; one hook enforces it before any view runs, and marks personal pages private, no-store."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.http_caching import PRIVATE_CACHE_CONTROL
from portal.services import policy as policies

T = TypeVar("T")

# Endpoints that are not view functions of ours (static files) and their policy.
_DECLARED: dict[str, str] = {"static": policies.PUBLIC}


def policy(name: str, *, personal_data: bool = False) -> Callable:
    """Declare who may open a route (a portal.services.policy name); personal_data: staff reads are audited."""
    if name not in policies.POLICIES:
        raise ValueError(f"unknown policy {name!r}")

    def decorate(view: Callable) -> Callable:
        view.access_policy = name
        view.personal_data = personal_data
        return view

    return decorate


def load_or_404(model: type[T], object_id: int, may: Callable[[object, T], bool]) -> T:
    """The `model` row with `object_id` when `may(current_user, row)` allows it; 404 otherwise, also when it
    does not exist, so an id never tells whether someone else's object is there."""
    item = db.session.get(model, object_id)
    if item is None or not may(current_user, item):
        abort(404)
    return item


def declare(endpoint: str, name: str) -> None:
    """Declare the policy of an endpoint whose view is not ours to decorate."""
    if name not in policies.POLICIES:
        raise ValueError(f"unknown policy {name!r}")
    _DECLARED[endpoint] = name


def policy_of(app: Flask, endpoint: str | None) -> str | None:
    """The declared policy of an endpoint, or None when it has none."""
    if endpoint is None:
        return None
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_policy", None) or _DECLARED.get(endpoint)


def is_personal(app: Flask, endpoint: str | None) -> bool:
    """True when the endpoint shows or changes personal data."""
    view = app.view_functions.get(endpoint) if endpoint else None
    return bool(getattr(view, "personal_data", False))


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path of this portal (not //host, not a scheme, no backslash), else None."""
    if not target or not isinstance(target, str) or len(target) > 500:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    return target


def _enforce() -> Response | None:
    if request.endpoint is None:  # 404/405: the error handlers answer
        return None
    name = policy_of(current_app, request.endpoint)
    if name is None:
        current_app.logger.error("route without access policy: %s", request.endpoint)
        abort(403)
    g.access_policy = name
    user = current_user if current_user.is_authenticated else None
    if name == policies.GUEST and user is not None:
        return redirect(url_for("account.index"))
    if policies.allows(name, user):
        return None
    if user is None:
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("auth.login", next=safe_next(target.rstrip("?")) if target else None))
    abort(403)


def _is_static_file(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def _no_store(response: Response) -> Response:
    if _is_static_file(request.endpoint):  # the same file for everyone: keeps its own validators
        return response
    if g.get("access_policy") not in (None, policies.PUBLIC) or current_user.is_authenticated:
        response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
        response.headers["Pragma"] = "no-cache"
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    """Install the policy check and the no-store header."""
    app.before_request(_enforce)
    app.after_request(_no_store)

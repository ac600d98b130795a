"""Localised error pages for 400/403/404/405/413/429/500; never a traceback outside debug."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db
from portal.request_log import request_id
from portal.translation import lazy_gettext as _l

logger = logging.getLogger("portal.error")

ERROR_TEXTS = {
    400: (
        _l("Something is wrong with this request"),
        _l("The page could not understand what was sent. Please go back and try again."),
    ),
    403: (_l("You may not see this page"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("This page does not exist, or it has moved.")),
    405: (_l("This action is not possible here"), _l("The page does not accept this kind of request.")),
    413: (_l("What you sent is too large"), _l("Please send less text or a smaller file.")),
    429: (_l("Too many attempts"), _l("Please wait a few minutes and try again.")),
    500: (_l("Something went wrong on our side"), _l("We are sorry. Please try again later.")),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def render_error(code: int):
    """Render the error page for `code` in the current language."""
    title, message = ERROR_TEXTS.get(code, ERROR_TEXTS[500 if code >= 500 else 400])
    if _wants_json():
        return jsonify({"error": code, "message": str(title)}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _discard_failed_transaction(*, always: bool) -> None:
    """Roll the database session back (when `always`, or when a failed flush left it unusable) before rendering."""
    try:
        if always or not db.session.is_active:
            db.session.rollback()
    except Exception:  # the database itself is gone; the page renders without it
        logger.exception("rollback before the error page failed")


def _handle_http_exception(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    _discard_failed_transaction(always=False)
    body, code = render_error(error.code)
    headers = {}
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return body, code, headers


def _handle_unexpected(error: InternalServerError):
    original = getattr(error, "original_exception", None) or error
    logger.error(
        "unhandled exception",
        exc_info=(type(original), original, original.__traceback__),
        extra={"fields": {"request_id": request_id(), "path": request.path}},
    )
    _discard_failed_transaction(always=True)
    try:
        return render_error(500)
    except Exception:  # the error page itself failed (e.g. database down): plain text
        logger.exception("error page failed")
        return "500 Internal Server Error", 500, {"Content-Type": "text/plain; charset=utf-8"}


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(InternalServerError, _handle_unexpected)

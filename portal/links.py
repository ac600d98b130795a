"""Absolute links for mails and calendars, inside a request or outside one (the CLI) with PORTAL_BASE_URL."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for

FALLBACK_BASE_URL = "http://127.0.0.1:5000"


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of an endpoint: the request's host in a request, else PORTAL_BASE_URL."""
    if has_request_context() and not current_app.config.get("PORTAL_BASE_URL"):
        return url_for(endpoint, _external=True, **values)
    base_url = current_app.config.get("PORTAL_BASE_URL") or FALLBACK_BASE_URL
    with current_app.test_request_context(base_url=base_url):
        return url_for(endpoint, _external=True, **values)

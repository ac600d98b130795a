"""Links: absolute ones for mails and calendars (inside a request or outside one, with PORTAL_BASE_URL), and the
links of a list's many rows built at the cost of one."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, has_request_context, url_for

FALLBACK_BASE_URL = "http://127.0.0.1:5000"


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of an endpoint: the request's host in a request, else PORTAL_BASE_URL."""
    if has_request_context() and not current_app.config.get("PORTAL_BASE_URL"):
        return url_for(endpoint, _external=True, **values)
    base_url = current_app.config.get("PORTAL_BASE_URL") or FALLBACK_BASE_URL
    with current_app.test_request_context(base_url=base_url):
        return url_for(endpoint, _external=True, **values)


_STAND_IN = 987654321  # an id no URL part holds: the place the real id goes


def id_urls(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """url_for(endpoint, key=id, **values) for many ids (a list's rows): the URL is built once with a stand-in id,
    and each id is put in its place, instead of url_for's whole routing walk per row."""
    head, stand_in, tail = url_for(endpoint, **{key: _STAND_IN}, **values).partition(str(_STAND_IN))
    if not stand_in or str(_STAND_IN) in tail:
        raise ValueError(f"{endpoint}: the id's place in the URL is not clear")
    return lambda id_: f"{head}{int(id_)}{tail}"

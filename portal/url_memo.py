"""The portal's Flask app, whose `url_for` remembers the URLs it built: the same link costs a look-up, not a build.

A page builds 20 to 60 links (the menu, the language switcher, a link per row), and Flask builds each anew: the
URL defaults (the page's language, the static files' fingerprint) and Werkzeug's builder cost about 20 µs a link.
The URL of an endpoint is a pure function of the URL map (fixed when the app starts), the values, the page's
language and what the request says about where the site lives (host, scheme, script root): that tuple is the key.
So this memo holds nothing that can go stale and nothing about a person: only links built from simple values
(text and whole numbers) inside a request are kept, never values that are objects or lists (search words,
filters), and it is emptied when it reaches its size, so it stays small whatever the traffic.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.globals import _cv_request

from portal.fragment_memo import BoundedMemo
from portal.i18n import current_language

MEMO_SIZE = 4096  # links; emptied when full
_SIMPLE = frozenset({str, int, type(None)})  # exact types: True == 1 and 1.0 == 1 would share a key


class PortalApp(Flask):
    """Flask with a memo of built URLs per app (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url_memo = BoundedMemo(MEMO_SIZE)

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        """Flask's url_for; a link built before in the same kind of request comes from the memo."""
        key = _memo_key(endpoint, (_anchor, _method, _scheme, _external), values)
        if key is not None:
            url = self.url_memo.get(key)
            if url is not None:
                return url
        url = super().url_for(
            endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
        )
        if key is not None:
            self.url_memo.put(key, url)
        return url


def _memo_key(endpoint: str, options: tuple, values: dict) -> tuple | None:
    """Everything the URL depends on, or None when the link is not to be remembered."""
    request_context = _cv_request.get(None)
    if request_context is None or request_context.url_adapter is None:
        return None  # mails and the CLI: rare, and their adapter comes from the settings
    if not all(type(value) in _SIMPLE for value in values.values()):
        return None
    adapter = request_context.url_adapter
    blueprint = request_context.request.blueprint if endpoint[:1] == "." else None
    place = (adapter.server_name, adapter.script_name, adapter.url_scheme, adapter.subdomain)
    return (endpoint, blueprint, current_language(), place, options, *sorted(values.items()))

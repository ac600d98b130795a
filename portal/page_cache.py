"""The shared page cache: anonymous public pages answered from Redis or the instance folder, before Flask runs.

A WSGI middleware looks up every anonymous GET or HEAD of a public page (one Redis MGET, or two small
files) and answers a current entry itself: gzip when the client takes it, 304 on a matching If-None-Match.
Otherwise Flask renders the page; when its view is marked `@cached_page` and the answer is a public 200
(see portal/http_caching.py), the middleware stores it under the listings version it read before rendering.
Any committed change to the listings makes a new version (services/social_map/listing_cache.py), so an edit
shows on the next request on every worker. The key holds the deployment fingerprint, scheme, host, path and
query. A store fault renders the page: never anything stale from elsewhere, never an error."""

from __future__ import annotations

import hashlib
import logging
import time
from functools import wraps
from pathlib import Path

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.http import parse_cookie

from portal import page_entry
from portal.config import LANGUAGES
from portal.http_caching import PUBLIC_MARK, guard, public_headers, sets_cookie
from portal.page_answer import answer, answer_rendered
from portal.page_store import StoreFault, make_store
from portal.read_only_pages import read_without_transaction

PAGE_TTL = 60  # bounds how old date-dependent text ('next session', 'places free') can get
MAX_CACHED_QUERY = 400
CONTEXT = "portal.page_cache"  # in the environ of a request the page cache may store
DEGRADED = "portal.page_cache.degraded"  # a database error happened while rendering: do not store
logger = logging.getLogger(__name__)


def deployment_fingerprint(app) -> str:
    """A short hash of what shapes pages besides the data: settings, templates, static files, content, catalogs.

    Part of every key, so pages cached by an older release or configuration are never served."""
    digest = hashlib.sha256()
    for name in ("PORTAL_TILE_URL", "PORTAL_TILE_ATTRIBUTION", "PORTAL_NEIGHBOURHOOD", "PORTAL_ENV"):
        digest.update(f"{name}={app.config.get(name)}\n".encode())
    roots = (Path(app.root_path) / "templates", Path(app.root_path) / "static", Path(app.config["PORTAL_CONTENT_DIR"]))
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    for path in sorted(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]).rglob("*.po")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_page(view):
    """Mark a view's page as public: for an anonymous visitor its 200 is stored and kept by shared caches."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        environ = request.environ
        if environ.get(CONTEXT):  # anonymous: no session cookie (PageCache._eligible)
            read_without_transaction()
        response = current_app.make_response(view(*args, **kwargs))
        if (
            environ.get(CONTEXT)
            and response.status_code == 200
            and not response.direct_passthrough
            and not environ.get(DEGRADED)
            and not current_user.is_authenticated
        ):
            environ[PUBLIC_MARK] = True
        return response

    wrapper.public_page = True
    return wrapper


def public_paths(app) -> tuple[frozenset[str], tuple[str, ...]]:
    """The exact paths and path prefixes of the views marked `@cached_page`, one per language."""
    exact, prefixes = set(), set()
    for rule in app.url_map.iter_rules():
        if not getattr(app.view_functions.get(rule.endpoint), "public_page", False):
            continue
        for lang in LANGUAGES:
            path = rule.rule.replace("<lang:lang>", lang)
            if "<" in path:
                prefixes.add(path[: path.index("<")])
            else:
                exact.add(path)
    return frozenset(exact), tuple(sorted(prefixes))


class PageCache:
    """WSGI middleware around Flask's wsgi_app; must sit inside ProxyFix, so it sees the client's host and scheme."""

    def __init__(self, app, wsgi_app, store, fingerprint: str):
        self.app = app
        self.wsgi_app = wsgi_app
        self.store = store
        self.fingerprint = fingerprint
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self.paths = None  # filled on the first request, when every blueprint is registered

    def __call__(self, environ, start_response):
        """Answer from the store, or let Flask render (and store a public page)."""
        if not self._eligible(environ):
            method = environ["REQUEST_METHOD"]
            guarded = lambda status, headers, *exc: start_response(status, guard(method, headers), *exc)  # noqa: E731
            return self.wsgi_app(environ, guarded)
        head = environ["REQUEST_METHOD"] == "HEAD"
        key = self._key(environ)
        version = None
        if self.store is not None:
            try:
                version, raw = self.store.lookup(key)
                entry = page_entry.decode(raw) if raw is not None and version is not None else None
                if entry is not None and entry.version == version and entry.expires > time.time():
                    return answer(environ, start_response, entry, head)
            except StoreFault as fault:
                logger.warning("page cache unavailable (%s)", fault)
                version = None
            except page_entry.BadEntry as damage:
                logger.warning("page cache entry refused (%s)", damage)
        environ[CONTEXT] = True
        environ["REQUEST_METHOD"] = "GET"  # a HEAD is rendered as the GET it stands for; its body is dropped
        return self._render(environ, start_response, key, version, head)

    def _eligible(self, environ) -> bool:
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return False
        if self.paths is None:
            self.paths = public_paths(self.app)
        exact, prefixes = self.paths
        path = environ.get("PATH_INFO", "")
        if path not in exact and not path.startswith(prefixes):
            return False
        if len(environ.get("QUERY_STRING", "")) > MAX_CACHED_QUERY or "HTTP_AUTHORIZATION" in environ:
            return False
        cookies = environ.get("HTTP_COOKIE")
        return not cookies or self.session_cookie not in parse_cookie(cookies)

    def _key(self, environ) -> str:
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        parts = (environ["wsgi.url_scheme"], host, environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""))
        raw = "".join(f"{len(part)}:{part}" for part in (*parts, environ.get("QUERY_STRING", "")))
        return f"{self.fingerprint}-{hashlib.sha256(raw.encode('utf-8', 'surrogatepass')).hexdigest()}"

    def _render(self, environ, start_response, key: str, version: str | None, head: bool):
        captured = []
        body = self.wsgi_app(environ, lambda status, headers, *exc: captured.append((status, headers, exc)))
        status, headers, exc = captured[0]  # Flask starts the response before it returns the body
        if not (environ.get(PUBLIC_MARK) and status.startswith("200 ") and not sets_cookie(headers)):
            start_response(status, guard("HEAD" if head else "GET", headers), *exc)
            if head:
                getattr(body, "close", lambda: None)()
                return []
            return body
        try:
            content = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        if version is None:  # nothing to store it in: compressed only if this client takes gzip
            return answer_rendered(environ, start_response, public_headers(headers), content, head)
        entry = page_entry.build(version, public_headers(headers), content, PAGE_TTL)
        try:
            self.store.store(key, page_entry.encode(entry), PAGE_TTL)
        except StoreFault as fault:
            logger.warning("page not stored (%s)", fault)
        return answer(environ, start_response, entry, head)


def _note_database_error(context) -> None:
    if has_request_context():
        request.environ[DEGRADED] = True


def init_app(app) -> None:
    """Compute the deployment fingerprint, open the store and put the middleware in front of Flask."""
    fingerprint = deployment_fingerprint(app)
    app.extensions["page_cache_fingerprint"] = fingerprint
    store = make_store(app.config)
    app.extensions["page_store"] = store
    app.wsgi_app = PageCache(app, app.wsgi_app, store, fingerprint)
    if not event.contains(Engine, "handle_error", _note_database_error):
        event.listen(Engine, "handle_error", _note_database_error)

"""A shared cache of whole public pages for anonymous visitors, in Redis (off without REDIS_URL).

Only GET requests without a session cookie are served from or stored in it, so a page with anyone's
personal data can never be cached. Keys carry the listings version: any committed change to a
programme, session or location makes every cached page stale at once; otherwise entries live
PAGE_TTL seconds, which bounds how old 'next session' dates can get."""

from __future__ import annotations

import gzip
import hashlib
import logging
from functools import wraps
from pathlib import Path

from flask import current_app, request
from redis.exceptions import RedisError
from werkzeug.wrappers import Response

from portal.extensions import cache
from portal.services.social_map.listing_cache import listings_version

PAGE_TTL = 60
MAX_CACHED_QUERY = 400
GZIP_LEVEL = 6
KEPT_HEADERS = ("Content-Type", "Cache-Control", "Vary", "ETag")
logger = logging.getLogger(__name__)


def _cacheable_request() -> bool:
    return (
        request.method == "GET"
        and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
        and len(request.query_string) <= MAX_CACHED_QUERY
    )


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


def init_app(app) -> None:
    """Compute the deployment fingerprint once, at start-up."""
    app.extensions["page_cache_fingerprint"] = deployment_fingerprint(app)


def _key() -> str:
    digest = hashlib.sha256(request.full_path.encode("utf-8", "surrogateescape")).hexdigest()
    fingerprint = current_app.extensions["page_cache_fingerprint"]
    return f"page:{fingerprint}:{listings_version()}:{request.endpoint}:{digest}"


def _from_cache(compressed: bytes, headers: list) -> Response:
    """Rebuild a cached page; gzip-encoded when the client accepts it (every browser does)."""
    if "gzip" in request.accept_encodings:
        response = Response(compressed, status=200, headers=headers)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(gzip.decompress(compressed), status=200, headers=headers)
    response.vary.add("Accept-Encoding")
    return response.make_conditional(request)


def cached_page(view):
    """Serve the view from the shared page cache when the request is anonymous and public."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _cacheable_request():
            return view(*args, **kwargs)
        try:
            key = _key()
            hit = cache.get(key)
        except RedisError:
            logger.warning("page cache unavailable")
            return view(*args, **kwargs)
        if hit is not None:
            return _from_cache(*hit)
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code == 200 and "Set-Cookie" not in response.headers and not response.direct_passthrough:
            headers = [(name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers]
            compressed = gzip.compress(response.get_data(), compresslevel=GZIP_LEVEL, mtime=0)
            entry = (compressed, headers)
            try:
                cache.set(key, entry, timeout=PAGE_TTL)
            except RedisError:
                logger.warning("could not store a page in the cache")
        return response

    return wrapper

"""The answer to a request from a cached page: gzip or plain, 200 or 304, GET or HEAD, straight to WSGI."""

from __future__ import annotations

import gzip

from werkzeug.http import parse_accept_header, parse_etags

from portal.http_caching import PUBLIC_CACHE_CONTROL, PUBLIC_VARY
from portal.page_entry import PageEntry


def accepts_gzip(accept_encoding: str) -> bool:
    """True when the Accept-Encoding header takes gzip (every browser's does)."""
    if "gzip" not in accept_encoding:
        return False
    if ";" not in accept_encoding:
        return True
    return parse_accept_header(accept_encoding)["gzip"] > 0


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match's weak comparison: the same tag (W/ or not) or `*`."""
    if not if_none_match:
        return False
    if if_none_match == etag:
        return True
    return parse_etags(if_none_match).contains_weak(etag.strip('"'))


def answer(environ, start_response, entry: PageEntry, head: bool) -> list[bytes]:
    """Send `entry` as the client asked for it."""
    compressed = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))
    etag = entry.gzip_etag if compressed else entry.etag
    if etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag):
        validators = [("Cache-Control", PUBLIC_CACHE_CONTROL), ("Vary", PUBLIC_VARY), ("ETag", etag)]
        start_response("304 Not Modified", validators)
        return []
    body = entry.gzip_body if compressed else gzip.decompress(entry.gzip_body)
    headers = [*entry.headers, ("ETag", etag), ("Content-Length", str(len(body)))]
    if compressed:
        headers.append(("Content-Encoding", "gzip"))
    start_response("200 OK", headers)
    return [] if head else [body]

"""The answer to a request from a cached page: gzip or plain, 200 or 304, GET or HEAD, straight to WSGI."""

from __future__ import annotations

import gzip

from werkzeug.http import parse_accept_header, parse_etags

from portal.http_caching import PUBLIC_CACHE_CONTROL, PUBLIC_VARY
from portal.page_entry import PageEntry, build, etag_of


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
    if accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")):
        return _send(environ, start_response, entry.headers, entry.gzip_etag, entry.gzip_body, True, head)
    return _send(environ, start_response, entry.headers, entry.etag, gzip.decompress(entry.gzip_body), False, head)


def answer_rendered(environ, start_response, headers, body: bytes, head: bool) -> list[bytes]:
    """Send a page rendered for this request that is not stored (the page cache is off or did not answer): it is
    compressed only for a client that takes gzip, with the same bytes and ETags a stored entry would have."""
    if accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")):
        return answer(environ, start_response, build(version="", headers=headers, body=body, ttl=0), head)
    return _send(environ, start_response, tuple(headers), etag_of(body), body, False, head)


def _send(environ, start_response, headers, etag: str, body: bytes, compressed: bool, head: bool) -> list[bytes]:
    if etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag):
        validators = [("Cache-Control", PUBLIC_CACHE_CONTROL), ("Vary", PUBLIC_VARY), ("ETag", etag)]
        start_response("304 Not Modified", validators)
        return []
    headers = [*headers, ("ETag", etag), ("Content-Length", str(len(body)))]
    if compressed:
        headers.append(("Content-Encoding", "gzip"))
    start_response("200 OK", headers)
    return [] if head else [body]

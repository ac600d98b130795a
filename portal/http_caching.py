"""HTTP caching headers: public pages may be kept briefly by shared caches; everything else is private, no-store.

A page is public only when its view is marked `@cached_page` (portal/page_cache.py), the visitor is
anonymous (no session cookie) and the answer is a 200 that sets no cookie. Such a page is answered with
PUBLIC_CACHE_CONTROL, PUBLIC_VARY and a strong ETag, and without anything per request (no X-Request-ID,
no Set-Cookie). A response without a Cache-Control of its own, a response that sets a cookie, and every
answer to a POST get PRIVATE_CACHE_CONTROL; pages for a signed-in user get it in portal/access.py."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

# Browsers: max-age=0, so they ask every time (a 304 from the page cache costs little) and see an edit on the
# next page they open. Shared caches (nginx): 20 s fresh, then at most 10 s of the stale copy while one request
# fetches the new one. So no shared cache may show a page more than 30 s after an edit (RFC 5861), and the
# deployment guide's nginx shows it after s-maxage (20 s) plus one request.
PUBLIC_CACHE_CONTROL = "public, max-age=0, s-maxage=20, stale-while-revalidate=10"
PRIVATE_CACHE_CONTROL = "private, no-store"
# The compressed and the plain body are two representations; Cookie: a signed-in visitor gets another page.
PUBLIC_VARY = "Accept-Encoding, Cookie"
PUBLIC_MARK = "portal.public_page"  # in the WSGI environ: the view made an anonymous, public 200
# Headers that belong to one response, or that the page cache sets itself: never stored, never replayed.
NOT_STORED = frozenset(
    {
        "cache-control",
        "connection",
        "content-encoding",
        "content-length",
        "date",
        "etag",
        "expires",
        "last-modified",
        "pragma",
        "server",
        "set-cookie",
        "transfer-encoding",
        "vary",
        "x-request-id",
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD"})


def public_headers(headers) -> list[tuple[str, str]]:
    """The headers a public page is stored and served with: its own minus anything per response, plus caching."""
    kept = [(name, value) for name, value in headers if name.lower() not in NOT_STORED]
    return [*kept, ("Cache-Control", PUBLIC_CACHE_CONTROL), ("Vary", PUBLIC_VARY)]


def sets_cookie(headers) -> bool:
    """True when the headers set a cookie."""
    return any(name.lower() == "set-cookie" for name, _ in headers)


def guard(method: str, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The final headers of a response that is not a public page: private, no-store when it sets a cookie or
    answers a POST (or any unsafe method), whatever the view said."""
    if method in SAFE_METHODS and not sets_cookie(headers):
        return headers
    kept = [(name, value) for name, value in headers if name.lower() not in ("cache-control", "etag", "expires")]
    return [*kept, ("Cache-Control", PRIVATE_CACHE_CONTROL)]


def _private_by_default(response: Response) -> Response:
    if not request.environ.get(PUBLIC_MARK) and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
    return response


def init_app(app: Flask) -> None:
    """Give every response that is not a public page and says nothing itself `private, no-store`."""
    app.after_request(_private_by_default)

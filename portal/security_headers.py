"""Content-Security-Policy and the other protective response headers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.wrappers import Response


def tile_origin(tile_url: str) -> str:
    """The origin of the map tile server, the one third party a page may load from."""
    parts = urlsplit(tile_url.replace("{s}.", ""))
    host = parts.netloc
    if "{s}" in tile_url:
        host = "*." + host
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str) -> str:
    """A policy that allows only the portal itself (no inline script or style at all), plus map tiles."""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": f"'self' data: {tile_origin(tile_url)}",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def init_app(app: Flask) -> None:
    """Add the headers to every response that has not set its own."""
    csp = content_security_policy(app.config["PORTAL_TILE_URL"])
    production = app.config["PORTAL_ENV"] == "production"

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

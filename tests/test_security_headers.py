"""Protective headers on every response; no page loads anything from another origin."""

from __future__ import annotations

import re

from portal.extensions import db
from portal.security_headers import content_security_policy, tile_origin
from tests.factories import ProgrammeFactory


def test_headers_on_every_page(client):
    response = client.get("/nl/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_tile_server_is_the_only_other_origin():
    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    csp = content_security_policy("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://tile.openstreetmap.org" in csp


def test_pages_reference_no_other_origin(client):
    ProgrammeFactory(slug="wandelen")
    db.session.commit()
    for path in ("/nl/", "/ar/programmes", "/en/programmes/wandelen", "/tr/organisations", "/nl/nope"):
        html = client.get(path).get_data(as_text=True)
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources
        for source in sources:
            assert source.startswith(("/", "#", "tel:", "mailto:", "http://localhost/")), f"{path} loads {source}"

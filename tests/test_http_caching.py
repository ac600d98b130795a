"""HTTP caching: anonymous public pages set no cookie and carry a strong ETag, a short public Cache-Control and
one Vary, answer conditional requests with 304, and carry nothing per request; everything else is private."""

from __future__ import annotations

import gzip

import pytest
from sqlalchemy import select

from portal import page_entry
from portal.extensions import db
from portal.http_caching import PRIVATE_CACHE_CONTROL, PUBLIC_CACHE_CONTROL, PUBLIC_VARY
from portal.models import Programme
from tests.factories import OrganisationFactory, ProgrammeFactory, SessionFactory

LANGUAGES = ("nl", "en", "tr", "ar")
PUBLIC_PAGES = (
    "/{lang}/",
    "/{lang}/programmes",
    "/{lang}/programmes?q=zwemmen",
    "/{lang}/programmes?category=bewegen&cost=free",
    "/{lang}/programmes/zwemmen",
    "/{lang}/map",
    "/{lang}/map?category=bewegen",
    "/api/v1/map/locations.geojson?lang={lang}",
    "/{lang}/routekaarten",
    "/{lang}/routekaarten/meer-bewegen",
    "/{lang}/routekaarten/vitale-kinderen",
    "/{lang}/organisations",
    "/{lang}/privacy",
)
PER_REQUEST = ("Set-Cookie", "X-Request-ID")


@pytest.fixture
def listings():
    """A programme with a session in the configured neighbourhood, and an organisation."""
    session = SessionFactory(programme=ProgrammeFactory(slug="zwemmen"))
    OrganisationFactory(neighbourhood=session.programme.organisation.neighbourhood, kind="buurtteam")
    db.session.commit()


def _public(response) -> None:
    assert response.status_code == 200, response.request.path
    for name in PER_REQUEST:
        assert name not in response.headers, (response.request.path, name)
    assert response.headers["Cache-Control"] == PUBLIC_CACHE_CONTROL
    assert response.headers["Vary"] == PUBLIC_VARY
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 20  # strong, not W/


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_public_page_is_public_and_the_same_from_the_cache(client, listings, lang):
    for template in PUBLIC_PAGES:
        path = template.format(lang=lang)
        rendered, cached = client.get(path), client.get(path)
        _public(rendered)
        _public(cached)
        assert client.get_cookie("session") is None and client.get_cookie("lang") is None
        assert dict(rendered.headers) == dict(cached.headers)
        assert rendered.get_data() == cached.get_data()
        body = rendered.get_data(as_text=True)
        assert "csrf_token" not in body and 'name="csrf' not in body, path


def test_a_conditional_request_gets_304_with_the_same_validators(client, listings):
    for path in ("/nl/programmes/zwemmen", "/en/map", "/api/v1/map/locations.geojson?lang=ar"):
        page = client.get(path)
        again = client.get(path, headers={"If-None-Match": page.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b""
        for name in ("ETag", "Vary", "Cache-Control"):
            assert again.headers[name] == page.headers[name]
        assert "Set-Cookie" not in again.headers and "X-Request-ID" not in again.headers


@pytest.mark.parametrize(
    "if_none_match", ["W/{etag}", '"other", {etag}', "*", '{etag}, W/"x"'], ids=["weak", "list", "star", "first"]
)
def test_if_none_match_uses_the_weak_comparison(client, listings, if_none_match):
    etag = client.get("/nl/").headers["ETag"]
    assert client.get("/nl/", headers={"If-None-Match": if_none_match.format(etag=etag)}).status_code == 304


def test_a_stale_or_foreign_etag_gets_the_page(client, listings):
    etag = client.get("/nl/").headers["ETag"]
    assert client.get("/nl/", headers={"If-None-Match": '"0000"'}).status_code == 200
    assert client.get("/en/", headers={"If-None-Match": etag}).status_code == 200
    programme = db.session.scalar(select(Programme).where(Programme.slug == "zwemmen"))
    programme.text("nl").title = "Zwemmen voor iedereen"
    db.session.commit()
    changed = client.get("/nl/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_gzip_representation_has_its_own_etag(client, listings):
    plain = client.get("/nl/programmes")
    packed = client.get("/nl/programmes", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert int(packed.headers["Content-Length"]) == len(packed.get_data())
    assert packed.headers["Vary"] == plain.headers["Vary"] == PUBLIC_VARY
    assert packed.headers["Content-Security-Policy"] == plain.headers["Content-Security-Policy"]
    gz = {"Accept-Encoding": "gzip"}
    assert client.get("/nl/programmes", headers=gz | {"If-None-Match": plain.headers["ETag"]}).status_code == 200
    assert client.get("/nl/programmes", headers=gz | {"If-None-Match": packed.headers["ETag"]}).status_code == 304
    refused = client.get("/nl/programmes", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and refused.get_data() == plain.get_data()


def test_without_the_page_cache_the_headers_and_304s_are_the_same(make_app, listings, tmp_path):
    (tmp_path / "content" / "routekaarten").mkdir(parents=True)  # no route maps naming demo organisations
    off = make_app(tmp_path / "content", PORTAL_PAGE_CACHE="off").test_client()
    page = off.get("/nl/programmes/zwemmen")
    _public(page)
    assert off.get("/nl/programmes/zwemmen", headers={"If-None-Match": page.headers["ETag"]}).status_code == 304


def test_without_the_page_cache_both_representations_are_those_a_stored_entry_has(make_app, listings, tmp_path):
    (tmp_path / "content" / "routekaarten").mkdir(parents=True)
    off = make_app(tmp_path / "content", PORTAL_PAGE_CACHE="off").test_client()
    plain = off.get("/nl/programmes/zwemmen")
    packed = off.get("/nl/programmes/zwemmen", headers={"Accept-Encoding": "gzip"})
    entry = page_entry.build("", (), plain.get_data(), 0)
    assert (plain.headers["ETag"], packed.headers["ETag"]) == (entry.etag, entry.gzip_etag)
    assert packed.get_data() == entry.gzip_body and packed.headers["Content-Encoding"] == "gzip"
    assert int(packed.headers["Content-Length"]) == len(packed.get_data())
    conditional = {"Accept-Encoding": "gzip", "If-None-Match": entry.gzip_etag}
    assert off.get("/nl/programmes/zwemmen", headers=conditional).status_code == 304


def test_a_page_nobody_stores_is_not_compressed_for_a_client_without_gzip(make_app, listings, tmp_path, monkeypatch):
    (tmp_path / "content" / "routekaarten").mkdir(parents=True)
    off = make_app(tmp_path / "content", PORTAL_PAGE_CACHE="off").test_client()
    monkeypatch.setattr(gzip, "compress", lambda *args, **kwargs: pytest.fail("compressed for nobody"))
    monkeypatch.setattr(gzip, "decompress", lambda *args, **kwargs: pytest.fail("decompressed what it had"))
    page = off.get("/nl/programmes/zwemmen")
    _public(page)
    assert "Content-Encoding" not in page.headers and b"<html" in page.get_data()
    assert off.get("/nl/programmes/zwemmen", headers={"If-None-Match": page.headers["ETag"]}).status_code == 304


def test_head_carries_the_get_headers_and_answers_conditionally(client, listings):
    for _ in range(2):  # rendered, then from the cache
        head = client.head("/tr/programmes/zwemmen")
        assert head.status_code == 200 and head.get_data() == b""
        _public(head)
    get = client.get("/tr/programmes/zwemmen")
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    conditional = client.head("/tr/programmes/zwemmen", headers={"If-None-Match": get.headers["ETag"]})
    assert conditional.status_code == 304


@pytest.mark.parametrize("role", ["resident", "broker"])
def test_every_page_for_a_signed_in_user_is_private(client, login, listings, role):
    login(role)
    for path in ("/nl/", "/nl/programmes", "/nl/programmes/zwemmen", "/nl/map", "/nl/routekaarten", "/nl/account"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == PRIVATE_CACHE_CONTROL, path
        assert "ETag" not in response.headers, path
    feed = client.get("/api/v1/map/locations.geojson?lang=nl")
    assert feed.headers["Cache-Control"] == PRIVATE_CACHE_CONTROL


def test_a_response_that_sets_a_cookie_is_private(client):
    form = client.get("/nl/login")  # the form's CSRF token lives in the session cookie
    assert "Set-Cookie" in form.headers
    assert form.headers["Cache-Control"] == PRIVATE_CACHE_CONTROL and "ETag" not in form.headers


def test_every_answer_to_a_post_is_private(client):
    for path in ("/nl/login", "/nl/programmes", "/nl/"):
        response = client.post(path, data={"email": "a@example.org"})
        assert response.headers["Cache-Control"] == PRIVATE_CACHE_CONTROL, path


def test_errors_and_redirects_are_not_stored_anywhere(client, app, listings):
    for path in ("/nl/programmes/bestaat-niet", "/de/programmes", "/nl", "/nl/programmes?q=a%00b", "/"):
        response = client.get(path)
        assert response.status_code in (302, 308, 400, 404), path
        assert response.headers["Cache-Control"] == PRIVATE_CACHE_CONTROL, path
        assert "ETag" not in response.headers, path
    assert list(app.extensions["page_store"].pages.iterdir()) == []


def test_a_long_query_string_is_served_but_never_kept(client, listings):
    response = client.get("/nl/programmes?q=" + "zwemmen+" * 60)
    assert response.status_code == 200 and response.headers["Cache-Control"] == PRIVATE_CACHE_CONTROL


def test_static_files_keep_their_own_validators_when_signed_in(client, login):
    anonymous = client.get("/static/css/portal.css")
    login("resident")
    signed_in = client.get("/static/css/portal.css")
    for response in (anonymous, signed_in):
        assert response.status_code == 200 and response.headers["ETag"]
        assert "no-store" not in response.headers["Cache-Control"]
        response.close()

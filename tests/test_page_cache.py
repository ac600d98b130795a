"""The shared page cache: only anonymous public GETs, invalidated by any listing change, in Redis."""

from __future__ import annotations

import gzip
import os
import re
import socket

import pytest
import redis

from portal import create_app
from portal.extensions import db
from tests.conftest import FreshContextClient, base_config
from tests.factories import ProgrammeFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture
def cached_app(database, tmp_path):
    """The app with the Redis cache on (database 14, emptied before and after)."""
    if not _redis_answers():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    redis.Redis.from_url(REDIS_URL).flushdb()
    settings = {k: v for k, v in database.items() if k != "backend"}
    app = create_app(
        base_config(tmp_path)
        | settings
        | {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL, "REDIS_URL": REDIS_URL}
    )
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        from tests.support.databases import empty_all_tables

        empty_all_tables(db)
        db.engine.dispose()
    redis.Redis.from_url(REDIS_URL).flushdb()


def _title(programme) -> str:
    return programme.text("nl").title


def test_a_second_anonymous_request_is_served_from_the_cache(cached_app):
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    client = cached_app.test_client()
    assert "Activiteit zwemmen" in client.get("/nl/programmes").get_data(as_text=True)
    assert len(redis.Redis.from_url(REDIS_URL).keys("*page:*")) == 1
    # A raw UPDATE bypasses the ORM (and so the invalidation): the cached page still shows the old title.
    db.session.execute(db.text("UPDATE programme_texts SET title = 'Stil gewijzigd'"))
    db.session.commit()
    assert "Activiteit zwemmen" in client.get("/nl/programmes").get_data(as_text=True)
    assert "Stil gewijzigd" in client.get("/nl/programmes?uncached=1").get_data(as_text=True)


def test_cached_pages_are_served_gzipped_with_the_same_headers(cached_app):
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    client = cached_app.test_client()
    first = client.get("/nl/map")
    second = client.get("/nl/map", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert second.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(second.get_data()) == first.get_data()
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert "Accept-Encoding" in second.headers["Vary"]
    plain = client.get("/nl/map")
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data() == first.get_data()


def test_a_listing_change_makes_cached_pages_stale(cached_app):
    programme = ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    client = cached_app.test_client()
    assert _title(programme) in client.get("/nl/programmes").get_data(as_text=True)
    programme.text("nl").title = "Zwemmen voor iedereen"
    db.session.commit()
    assert "Zwemmen voor iedereen" in client.get("/nl/programmes").get_data(as_text=True)
    assert "Zwemmen voor iedereen" in client.get("/nl/programmes/zwemmen").get_data(as_text=True)


def test_requests_with_a_session_are_never_cached(cached_app):
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    client = cached_app.test_client()
    with client.session_transaction() as session:
        session["marker"] = "x"
    client.get("/nl/programmes")
    keys = redis.Redis.from_url(REDIS_URL).keys("*page:*")
    assert keys == []


def test_pages_other_than_200_are_not_cached(cached_app):
    client = cached_app.test_client()
    client.get("/nl/programmes/bestaat-niet")
    assert redis.Redis.from_url(REDIS_URL).keys("*page:*") == []


def test_etag_answers_304_from_the_cache(cached_app):
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    client = cached_app.test_client()
    client.get("/api/v1/map/locations.geojson?lang=nl")
    etag = client.get("/api/v1/map/locations.geojson?lang=nl").headers["ETag"]
    assert client.get("/api/v1/map/locations.geojson?lang=nl", headers={"If-None-Match": etag}).status_code == 304


def test_a_cache_outage_serves_fresh_pages(database, tmp_path):
    settings = {k: v for k, v in database.items() if k != "backend"}
    dead = "redis://127.0.0.1:9/0"
    app = create_app(base_config(tmp_path) | settings | {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": dead})
    app.test_client_class = FreshContextClient
    with app.app_context():
        ProgrammeFactory(slug="zwemmen")
        db.session.commit()
        assert app.test_client().get("/nl/programmes").status_code == 200
        from tests.support.databases import empty_all_tables

        empty_all_tables(db)
        db.engine.dispose()


def test_pages_cached_under_another_configuration_are_not_served(cached_app, make_app, tmp_path):
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    cached_app.test_client().get("/nl/map")
    redis_settings = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL, "REDIS_URL": REDIS_URL}
    (tmp_path / "content" / "routekaarten").mkdir(parents=True)  # no route maps naming demo programmes
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    other = make_app(tmp_path / "content", PORTAL_TILE_URL=tiles, **redis_settings)
    first = cached_app.test_client().get("/nl/map").get_data(as_text=True)
    second = other.test_client().get("/nl/map").get_data(as_text=True)
    init_url = re.search(r'data-map-init="([^"]+)"', second).group(1).replace("&amp;", "&")
    assert init_url != re.search(r'data-map-init="([^"]+)"', first).group(1).replace("&amp;", "&")
    script = other.test_client().get(init_url).get_data(as_text=True)
    assert "tiles.example.org" in script and "tile.openstreetmap.org" not in script
    assert "tiles.example.org" in other.test_client().get("/nl/map").headers["Content-Security-Policy"]

"""The shared page cache: on disk in the instance folder (the default) or in Redis; shared by every worker,
made stale by every listing edit, keyed so no request can poison another's page, and never a reason to fail."""

from __future__ import annotations

import os
import re
import socket
from datetime import date

import pytest
import redis
import requests
from sqlalchemy import text, update

from portal import create_app, page_entry
from portal.extensions import db
from portal.models import Programme, Session, User
from portal.page_store import DiskPageStore
from portal.services.listings import editing
from tests.conftest import FreshContextClient, base_config
from tests.factories import ProgrammeFactory, SessionFactory, UserFactory
from tests.support.databases import empty_all_tables
from tests.support.served_portal import database_of, served_portal

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
PAGE_KEYS = "wijkportaal:page:*"


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def _require_redis() -> None:
    if not _redis_answers():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")


def _settings(database, tmp_path, kind: str) -> dict:
    settings = {k: v for k, v in database.items() if k != "backend"}
    cache = {"PORTAL_PAGE_CACHE": kind, "PORTAL_PAGE_CACHE_DIR": str(tmp_path / "instance" / "page-cache")}
    if kind == "redis":
        cache["REDIS_URL"] = REDIS_URL
    return base_config(tmp_path) | settings | cache


@pytest.fixture(params=["disk", "redis"])
def workers(request, database, tmp_path):
    """Two apps on one database and one page cache (the instance folder, or Redis): two workers, in effect.

    The first one's app context is open, so the test's own commits bump the version where both look."""
    if request.param == "redis":
        _require_redis()
        redis.Redis.from_url(REDIS_URL).flushdb()
    apps = [create_app(_settings(database, tmp_path, request.param)) for _ in range(2)]
    for app in apps:
        app.test_client_class = FreshContextClient
    with apps[0].app_context():
        yield apps
        empty_all_tables(db)
        db.engine.dispose()
    with apps[1].app_context():
        db.engine.dispose()
    if request.param == "redis":
        redis.Redis.from_url(REDIS_URL).flushdb()


def stored(app) -> int:
    """How many pages the app's page cache holds."""
    if app.config["PORTAL_PAGE_CACHE"] == "redis":
        return len(redis.Redis.from_url(REDIS_URL).keys(PAGE_KEYS))
    return len(list((app.extensions["page_store"].pages).iterdir()))


def _silently_retitle(title: str) -> None:
    """Change every title with raw SQL, which the invalidation cannot see: shows what is served from the cache."""
    db.session.execute(text("UPDATE programme_texts SET title = :title"), {"title": title})
    db.session.commit()


def test_a_page_one_worker_rendered_is_served_by_the_other(workers):
    first, second = workers
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    assert "Activiteit zwemmen" in first.test_client().get("/nl/programmes").get_data(as_text=True)
    assert stored(first) == 1
    _silently_retitle("Stil gewijzigd")
    assert "Activiteit zwemmen" in second.test_client().get("/nl/programmes").get_data(as_text=True)
    assert "Stil gewijzigd" in second.test_client().get("/nl/programmes?page=1").get_data(as_text=True)


def test_a_brokers_edit_shows_on_the_next_request_on_every_worker(workers):
    first, second = workers
    programme = ProgrammeFactory(slug="zwemmen")
    broker = UserFactory(role="broker", organisation=programme.organisation)
    db.session.commit()
    popup = f"/api/v1/map/locations.geojson?lang=nl&location={programme.location_id}"  # a map marker's popup
    for app in workers:
        for path in ("/nl/programmes", "/nl/programmes/zwemmen", "/nl/map", popup):
            assert app.test_client().get(path).status_code == 200
    data = editing.data_of(programme)
    data.texts["nl"]["title"] = "Zwemmen voor iedereen"
    editing.update_programme(programme, data, broker, date.today())
    db.session.commit()
    for app in (second, first):
        client = app.test_client()
        assert "Zwemmen voor iedereen" in client.get("/nl/programmes").get_data(as_text=True)
        assert "Zwemmen voor iedereen" in client.get("/nl/programmes/zwemmen").get_data(as_text=True)
        assert "Zwemmen voor iedereen" in client.get(popup).get_data(as_text=True)


def test_an_orm_update_statement_makes_pages_stale_too(workers):
    """Places are taken with UPDATE … SET booked = booked + 1, not through objects: that counts as an edit."""
    first, second = workers
    session = SessionFactory(capacity=12, booked=5)
    db.session.commit()
    path = f"/nl/programmes/{session.programme.slug}"
    assert "7 plaatsen vrij" in first.test_client().get(path).get_data(as_text=True)
    db.session.execute(update(Session).where(Session.id == session.id).values(booked=Session.booked + 3))
    db.session.commit()
    assert "4 plaatsen vrij" in second.test_client().get(path).get_data(as_text=True)


def test_a_rollback_leaves_the_cached_pages_alone(workers):
    first, _ = workers
    programme = ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    first.test_client().get("/nl/programmes")
    programme.text("nl").title = "Nooit bewaard"
    db.session.flush()
    db.session.rollback()
    _silently_retitle("Stil gewijzigd")
    assert "Activiteit zwemmen" in first.test_client().get("/nl/programmes").get_data(as_text=True)


def test_requests_with_a_session_cookie_are_neither_served_nor_stored(workers):
    first, _ = workers
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    first.test_client().get("/nl/programmes")
    _silently_retitle("Stil gewijzigd")
    client = first.test_client()
    with client.session_transaction() as session:
        session["marker"] = "x"
    assert "Stil gewijzigd" in client.get("/nl/programmes").get_data(as_text=True)
    client.get("/nl/organisations")
    assert stored(first) == 1


def test_pages_other_than_200_are_not_stored(workers):
    first, _ = workers
    client = first.test_client()
    assert client.get("/nl/programmes/bestaat-niet").status_code == 404
    assert client.get("/nl/routekaarten/bestaat-niet").status_code == 404
    assert client.get("/nl/programmes?q=a%00b").status_code == 400
    assert client.get("/nl/programmes/").status_code in (308, 404)
    assert stored(first) == 0


def test_a_hostile_host_header_gets_its_own_entry(workers):
    first, second = workers
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    evil = first.test_client().get("/nl/", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "http://evil.example/en/" in evil  # the page's absolute links name the host it was asked for
    for app in workers:
        page = app.test_client().get("/nl/").get_data(as_text=True)
        assert "evil.example" not in page and "http://localhost/en/" in page
    https = second.test_client().get("/nl/", base_url="https://localhost").get_data(as_text=True)
    assert "https://localhost/en/" in https and "http://localhost/en/" not in https
    assert stored(first) == 3


def test_a_hostile_query_string_gets_its_own_entry_and_a_long_one_none(workers):
    first, _ = workers
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    client = first.test_client()
    poisoned = client.get("/nl/programmes?q=%3Cscript%3Ezwemmen&page=1&page=2").get_data(as_text=True)
    assert "&lt;script&gt;zwemmen" in poisoned and "<script>zwemmen" not in poisoned
    plain = client.get("/nl/programmes").get_data(as_text=True)
    assert "&lt;script&gt;" not in plain and "Activiteit zwemmen" in plain
    assert stored(first) == 2
    assert client.get("/nl/programmes?q=" + "x" * 500).status_code == 200
    assert stored(first) == 2


def test_a_head_request_is_answered_and_stores_the_page(workers):
    first, second = workers
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    head = first.test_client().head("/nl/programmes/zwemmen")
    assert head.status_code == 200 and head.get_data() == b"" and stored(first) == 1
    _silently_retitle("Stil gewijzigd")
    get = second.test_client().get("/nl/programmes/zwemmen")
    assert "Activiteit zwemmen" in get.get_data(as_text=True)
    assert int(head.headers["Content-Length"]) == len(get.get_data())
    assert head.headers["ETag"] == get.headers["ETag"]


def test_pages_cached_under_another_configuration_are_not_served(workers, database, tmp_path):
    first, _ = workers
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    first.test_client().get("/nl/map")
    kind = first.config["PORTAL_PAGE_CACHE"]
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    (tmp_path / "content" / "routekaarten").mkdir(parents=True)  # no route maps naming demo organisations
    changed = {"PORTAL_TILE_URL": tiles, "PORTAL_CONTENT_DIR": str(tmp_path / "content")}
    other = create_app(_settings(database, tmp_path, kind) | changed)
    other.test_client_class = FreshContextClient
    try:
        page = other.test_client().get("/nl/map")
        assert "tiles.example.org" in page.headers["Content-Security-Policy"]
        init_url = re.search(r'data-map-init="([^"]+)"', page.get_data(as_text=True)).group(1).replace("&amp;", "&")
        assert "tiles.example.org" in other.test_client().get(init_url).get_data(as_text=True)
        assert stored(first) == 2
    finally:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def disk_app(app):
    """The test app: its page cache is on disk, the default without Redis."""
    assert app.config["PORTAL_PAGE_CACHE"] == "disk"
    return app


def test_a_damaged_or_truncated_entry_is_rendered_again(disk_app, client):
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    client.get("/nl/programmes")
    (entry,) = disk_app.extensions["page_store"].pages.iterdir()
    _silently_retitle("Stil gewijzigd")
    good = entry.read_bytes()
    flipped = good[:40] + bytes([good[40] ^ 1]) + good[41:]
    for damaged in (b"", b"garbage", good[:-10], flipped, good.replace(b"WPC1", b"WPC2", 1)):
        entry.write_bytes(damaged)
        response = client.get("/nl/programmes")
        assert response.status_code == 200
        assert "Stil gewijzigd" in response.get_data(as_text=True)
        assert page_entry.decode(entry.read_bytes()).version  # rendered and stored again, intact


def test_a_full_disk_renders_every_page(disk_app, client, monkeypatch):
    ProgrammeFactory(slug="zwemmen")
    db.session.commit()

    def full(self, path, data, exclusive=False):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(DiskPageStore, "_write", full)
    for _ in range(2):
        assert client.get("/nl/programmes").status_code == 200
    assert list(disk_app.extensions["page_store"].pages.iterdir()) == []


def test_a_bump_that_cannot_be_written_removes_the_version(disk_app, client, monkeypatch):
    """Nothing is served from disk until a new version is written: the edit is never hidden behind old pages."""
    programme = ProgrammeFactory(slug="zwemmen")
    db.session.commit()
    client.get("/nl/programmes")
    store = disk_app.extensions["page_store"]
    written = DiskPageStore._write

    def version_fails(self, path, data, exclusive=False):
        if path == store.version_file and not exclusive:
            raise OSError(28, "No space left on device")
        written(self, path, data, exclusive)

    monkeypatch.setattr(DiskPageStore, "_write", version_fails)
    programme.text("nl").title = "Zwemmen voor iedereen"
    db.session.commit()
    assert not store.version_file.exists()
    assert "Zwemmen voor iedereen" in client.get("/nl/programmes").get_data(as_text=True)
    assert store.version_file.exists()  # a fresh version, so no older entry can come back


def test_prune_drops_expired_and_surplus_entries(tmp_path, monkeypatch):
    store = DiskPageStore(tmp_path)
    for number in range(6):
        store._write(store.pages / f"entry-{number}", b"x")
        os.utime(store.pages / f"entry-{number}", (1000 + number, 1000 + number))
    store._write(store.pages / "fresh", b"x")
    monkeypatch.setattr("portal.page_store.MAX_DISK_ENTRIES", 1)
    store.prune(ttl=60)
    assert [path.name for path in store.pages.iterdir()] == ["fresh"]


def test_with_redis_down_pages_are_rendered_and_nothing_is_stored(database, tmp_path):
    settings = _settings(database, tmp_path, "redis") | {"REDIS_URL": "redis://127.0.0.1:9/0"}  # a closed port
    app = create_app(settings)
    app.test_client_class = FreshContextClient
    with app.app_context():
        try:
            ProgrammeFactory(slug="zwemmen")
            db.session.commit()  # the bump fails: logged, not raised
            client = app.test_client()
            first = client.get("/nl/programmes")
            assert first.status_code == 200 and "Activiteit zwemmen" in first.get_data(as_text=True)
            assert first.headers["Cache-Control"].startswith("public")  # still a public page for shared caches
            _silently_retitle("Stil gewijzigd")
            assert "Stil gewijzigd" in client.get("/nl/programmes").get_data(as_text=True)
            head = client.head("/nl/programmes", headers={"If-None-Match": first.headers["ETag"]})
            assert head.status_code == 200  # the page changed, so the old ETag no longer matches
        finally:
            empty_all_tables(db)
            db.engine.dispose()


@pytest.fixture(scope="module")
def served(database, tmp_path_factory):
    """The portal under gunicorn with two workers; its page cache in the instance folder the test app shares."""
    with served_portal(database["backend"], tmp_path_factory, "page_cache", 2) as server:
        yield server


def test_two_gunicorn_workers_share_the_cache_and_see_an_edit_at_once(served):
    with database_of(served):
        programme = ProgrammeFactory(slug="zwemmen")
        broker = UserFactory(role="broker", organisation=programme.organisation)
        db.session.flush()
        programme_id, broker_id = programme.id, broker.id
    url = f"{served.url}/nl/programmes/zwemmen"
    with requests.Session() as browser:
        pages = [browser.get(url, timeout=10) for _ in range(8)]
        assert {page.status_code for page in pages} == {200}
        assert all("Activiteit zwemmen" in page.text for page in pages)
        assert len({page.headers["ETag"] for page in pages}) == 1
        with database_of(served):
            programme = db.session.get(Programme, programme_id)
            data = editing.data_of(programme)
            data.texts["nl"]["title"] = "Zwemmen voor iedereen"
            editing.update_programme(programme, data, db.session.get(User, broker_id), date.today())
        after = [browser.get(url, timeout=10) for _ in range(8)]
    assert all("Zwemmen voor iedereen" in page.text for page in after)
    assert "Set-Cookie" not in after[0].headers and after[0].headers["Content-Encoding"] == "gzip"


def test_a_page_rendered_while_the_database_failed_is_not_kept(disk_app, client, monkeypatch):
    """The route map still answers without the social map's data; that degraded page must not be kept."""

    def failing(slugs, lang):
        return db.session.execute(text("SELECT * FROM no_such_table"))

    monkeypatch.setattr("portal.services.routekaarten.live.live_offers", failing)
    response = client.get("/nl/routekaarten/meer-bewegen")
    assert response.status_code == 200 and "wp-offers__unavailable" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert list(disk_app.extensions["page_store"].pages.iterdir()) == []
    monkeypatch.undo()
    assert client.get("/nl/routekaarten/meer-bewegen").headers["Cache-Control"].startswith("public")
    assert len(list(disk_app.extensions["page_store"].pages.iterdir())) == 1

"""Real-browser fixtures: the portal served on a free local port, driven by Debian's chromium."""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from portal.services.seed.demo import load_demo
from tests.conftest import base_config
from tests.support.databases import fresh_database
from tests.support.live_wsgi import closing_files

CHROMIUM = Path("/usr/bin/chromium")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def browser_tests_required() -> bool:
    """In CI (or with PORTAL_REQUIRE_BROWSER=1) a missing browser fails instead of skipping."""
    return os.environ.get("CI") == "true" or os.environ.get("PORTAL_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    """Mark every test below tests/browser as a browser test."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's chromium instead of a downloaded browser."""
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if browser_tests_required():
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--disable-gpu", "--disable-quic"],
    }


LIVE_OUTBOXES: list[Path] = []  # of every live server in this run


@pytest.fixture
def live_mail():
    """live_mail(address): the newest mail the live server wrote to its outbox for `address`."""
    import email
    from email import policy

    def _newest(address: str):
        files = sorted((f for outbox in LIVE_OUTBOXES for f in outbox.glob("*.eml")), key=lambda f: f.name)
        mails = [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
        mails = [m for m in mails if m["To"] == address]
        assert mails, f"no mail to {address}"
        return mails[-1]

    return _newest


@pytest.fixture(scope="session")
def live_server(database, tmp_path_factory):
    """The portal with the demo neighbourhood, served by a werkzeug thread; yields its base URL."""
    yield from _serve(database, tmp_path_factory.mktemp("live"), "browser")


@pytest.fixture(scope="module")
def private_live_server(database, tmp_path_factory):
    """A live server of its own, for a journey that adds data the other journeys must not see."""
    yield from _serve(database, tmp_path_factory.mktemp("private"), "browser_private")


@pytest.fixture(scope="module")
def private_live_app(database, tmp_path_factory):
    """Like private_live_server, and the served app too: yields (base URL, app).

    For a journey that prepares rows first: inside `with app.app_context():`, change the database
    through the services and commit; the server, on the same database, sees them on its next request."""
    yield from _serve(database, tmp_path_factory.mktemp("private_app"), "browser_private_app", with_app=True)


def _serve(database, directory, schema, *, with_app=False):
    """Serve the portal with the demo data on a free port; yields the base URL (with_app: the URL and the app)."""
    settings = fresh_database(database["backend"], directory, schema)
    app = create_app(base_config(directory) | settings)
    LIVE_OUTBOXES.append(Path(app.config["PORTAL_OUTBOX_DIR"]))
    with app.app_context():
        db.create_all()
        load_demo(Path(app.config["PORTAL_CONTENT_DIR"]) / "demo", date.today())
        db.session.remove()
    server = make_server("127.0.0.1", 0, closing_files(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    yield (url, app) if with_app else url
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def axe():
    """axe-core, injected with page.evaluate (works under our strict CSP)."""
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """assert_accessible(page): zero WCAG 2.1 A/AA violations on the page as it is now."""

    def _check(page):
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    return _check


TILE_ORIGIN = "https://tile.openstreetmap.org/"
BLANK_TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
    "9c63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def offline_map_tiles(page):
    """Answer map-tile requests with a blank tile: the tile server is the one outside origin, offline here."""
    page.route(
        TILE_ORIGIN + "**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE),
    )


@pytest.fixture
def console_errors(page):
    """Collects console errors and failed requests; a test asserts the list stays empty."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on(
        "requestfailed",
        # Leaflet cancels tile loads it no longer needs when the map re-zooms, and chromium drops a
        # page's images (favicon, category icons) still loading when the test moves on to the next page:
        # neither is an error. A missing image still shows up, as a console error for its 404.
        lambda request: (
            None
            if request.failure == "net::ERR_ABORTED"
            and (
                request.url.startswith(TILE_ORIGIN)
                or request.resource_type == "image"
                or request.url.split("?", 1)[0].endswith("/static/icons/favicon.svg")  # ?v=<release>
            )
            else errors.append(f"request failed: {request.url} ({request.failure})")
        ),
    )
    return errors

"""Fixtures: app, client, runner, database backends, factories and a login helper per role."""

from __future__ import annotations

import contextvars
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from portal import create_app
from portal.extensions import db
from portal.models.base import utcnow
from portal.services.accounts import throttle
from portal.services.accounts.second_factor import new_totp_secret
from tests.factories import UserFactory
from tests.support import password_memo, url_rules
from tests.support.accounts import sign_in
from tests.support.databases import backends, empty_all_tables, fresh_database

ROLES = ("resident", "professional", "broker", "admin")

url_rules.install()  # each URL builder compiled once per process, not once per test's app
password_memo.install()  # each password hashed once per process (Argon2id costs 0.25 s a hash)


class FreshContextClient(FlaskClient):
    """Serves each request in its own app context, as a real server does.

    A test holds an app context open (for factories); Flask would reuse it for the client's
    requests, sharing `g` (and Flask-Babel's cached locale) between them."""

    def open(self, *args, **kwargs):
        """Run the request in an empty contextvars context."""
        return contextvars.Context().run(super().open, *args, **kwargs)


def base_config(tmp_path) -> dict:
    """Settings every test app shares."""
    return {
        "TESTING": True,
        "PORTAL_ENV": "testing",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SERVER_NAME": None,
        "PORTAL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PORTAL_ATTACHMENT_DIR": str(tmp_path / "attachments"),
        # Each test its own page cache on disk (the default without Redis), so no page outlives its test.
        "PORTAL_PAGE_CACHE": "disk",
        "PORTAL_PAGE_CACHE_DIR": str(tmp_path / "page-cache"),
    }


@pytest.fixture(scope="session", params=backends())
def database(request, tmp_path_factory):
    """One schema per backend for the whole run (SQLite always, PostgreSQL with TEST_DATABASE_URL)."""
    directory = tmp_path_factory.mktemp(request.param)
    settings = fresh_database(request.param, directory, "unit")
    app = create_app(base_config(directory) | settings)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return {"backend": request.param, **settings}


@pytest.fixture
def app(database, tmp_path):
    """A portal app on the test database, emptied after each test."""
    settings = {k: v for k, v in database.items() if k != "backend"}
    app = create_app(base_config(tmp_path) | settings)
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        empty_all_tables(db)
        db.engine.dispose()


@pytest.fixture(autouse=True)
def steady_throttle_clock(monkeypatch):
    """Attempt counters see one instant, five minutes into the hour: their windows (10 min, 15 min, 1 h) are aligned
    to the epoch, and a slow test that crossed an edge would get a fresh window and one try too many."""
    now = utcnow()
    pinned = now.replace(minute=5, second=0, microsecond=0)
    monkeypatch.setattr(throttle, "utcnow", lambda: pinned)


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of the app."""
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """login('broker') creates a user of that role with a completed login session, and returns the user."""

    def _login(role: str = "resident", **attributes):
        assert role in ROLES, role
        if role == "resident":
            attributes.setdefault("second_factor", "email")
        else:
            attributes.setdefault("second_factor", "totp")
            attributes.setdefault("totp_secret", new_totp_secret())
        user = UserFactory(role=role, **attributes)
        sign_in(client, user)
        return user

    return _login


@pytest.fixture
def make_app(app, database, tmp_path):
    """make_app(content_root, **settings): another portal app on the test database, disposed afterwards."""
    made = []

    def _make(root: Path | None = None, **overrides):
        settings = {key: value for key, value in database.items() if key != "backend"}
        content = {"PORTAL_CONTENT_DIR": str(root)} if root is not None else {}
        new = create_app(base_config(tmp_path) | settings | content | overrides)
        new.test_client_class = FreshContextClient
        made.append(new)
        return new

    yield _make
    for new in made:
        with new.app_context():
            db.engine.dispose()


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """Under --dist loadfile: a unit per module and backend, longest first (tests/support/schedule.py)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from tests.support.schedule import LongestFirstScheduling

    return LongestFirstScheduling(config, log)


def pytest_sessionfinish(session):
    """Under pytest-xdist a worker hands the security figures it collected to the controller, which prints them."""
    from tests.support.security_report import REPORT

    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["security_figures"] = dict(REPORT)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """Collect the security figures of a pytest-xdist worker that finished."""
    from tests.support.security_report import REPORT

    REPORT.update(getattr(node, "workeroutput", {}).get("security_figures", {}))


def pytest_terminal_summary(terminalreporter):
    """Print the security figures the access-matrix and replay tests collected."""
    from tests.support.security_report import REPORT

    if REPORT:
        terminalreporter.section("security figures")
        for name, value in sorted(REPORT.items()):
            terminalreporter.write_line(f"{name}: {value}")

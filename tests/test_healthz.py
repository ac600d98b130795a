"""/healthz answers 200 with the database up and 503 without it, and leaks nothing."""

from __future__ import annotations

from portal import create_app
from tests.conftest import base_config


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "redis": "not used"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_503_when_the_database_is_unreachable(tmp_path):
    unreachable = "postgresql+psycopg://nobody:hunter2@127.0.0.1:9/none?connect_timeout=1"
    app = create_app(base_config(tmp_path) | {"SQLALCHEMY_DATABASE_URI": unreachable})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
    body = response.get_data(as_text=True)
    for secret in ("hunter2", "127.0.0.1", "postgresql", "nobody"):
        assert secret not in body


def test_pages_still_render_when_the_database_is_down(tmp_path):
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"
    app = create_app(base_config(tmp_path) | {"SQLALCHEMY_DATABASE_URI": unreachable, "PROPAGATE_EXCEPTIONS": False})
    response = app.test_client().get("/nl/programmes")
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)

"""Under gunicorn (as in production): oversized request lines and headers get a 4xx, never a 500."""

from __future__ import annotations

import http.client
import os
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet

from tests.support.gunicorn import serve


@pytest.fixture(scope="module")
def gunicorn_port(tmp_path_factory):
    """The portal under gunicorn with one worker, on an empty SQLite database."""
    directory = tmp_path_factory.mktemp("gunicorn")
    env = os.environ | {
        "PORTAL_ENV": "production",
        "SECRET_KEY": "x" * 48,
        "DATABASE_URL": f"sqlite:///{directory}/portal.db",
        "PORTAL_MESSAGE_KEYS": Fernet.generate_key().decode(),
    }
    with serve(env, home=directory, workers=1) as base_url:
        yield urlsplit(base_url).port


def _get(port: int, path: str, headers: dict | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()


def test_oversized_header_is_refused(gunicorn_port):
    assert _get(gunicorn_port, "/healthz", {"X-Big": "a" * 20_000}) in (400, 413, 431)


def test_too_many_headers_are_refused(gunicorn_port):
    headers = {f"X-H{i}": "1" for i in range(200)}
    assert _get(gunicorn_port, "/healthz", headers) in (400, 413, 431)


def test_oversized_request_line_is_refused(gunicorn_port):
    assert _get(gunicorn_port, "/nl/programmes?q=" + "a" * 10_000) in (400, 414)


def test_ordinary_requests_are_served(gunicorn_port):
    assert _get(gunicorn_port, "/healthz") in (200, 503)
    assert _get(gunicorn_port, "/de/") == 404

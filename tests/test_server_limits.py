"""Under gunicorn (as in production): oversized request lines and headers get a 4xx, never a 500."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn_port(tmp_path_factory):
    """The portal under gunicorn with one worker, on an empty SQLite database."""
    directory = tmp_path_factory.mktemp("gunicorn")
    port = _free_port()
    env = os.environ | {
        "PORTAL_ENV": "production",
        "SECRET_KEY": "x" * 48,
        "DATABASE_URL": f"sqlite:///{directory}/portal.db",
        "HOME": str(directory),
    }
    command = [sys.executable, "-m", "gunicorn", "--no-control-socket", "-w", "1", "-b", f"127.0.0.1:{port}", "app:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("gunicorn did not start")
    yield port
    process.terminate()
    process.wait(timeout=10)


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

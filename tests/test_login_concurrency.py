"""Twenty simultaneous wrong passwords for one account on gunicorn with four workers: exactly the limit gets through."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator

import pytest
import requests

from portal.services.accounts import login_limits
from tests.factories import UserFactory
from tests.support.security_report import report
from tests.support.served_portal import Server, database_of, served_portal

WORKERS = 4
TRIES = 20
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def server(database, tmp_path_factory) -> Iterator[Server]:
    """The portal under gunicorn with four workers on a fresh database of the run's backend."""
    with served_portal(database["backend"], tmp_path_factory, "login-concurrency", WORKERS) as served:
        yield served


def _browser(server: Server) -> tuple[requests.Session, str]:
    """A browser that opened the login page: its cookie and the form's CSRF token."""
    http = requests.Session()
    page = http.get(f"{server.url}/nl/login", timeout=30)
    return http, TOKEN.search(page.text).group(1)


def test_simultaneous_wrong_passwords_get_exactly_the_limit_through(server):
    with database_of(server):
        UserFactory(email="target@example.org")
    browsers = [_browser(server) for _ in range(TRIES)]
    barrier = threading.Barrier(TRIES)
    statuses: list[int] = []

    def attempt(http: requests.Session, token: str) -> None:
        barrier.wait(timeout=30)
        data = {"csrf_token": token, "email": "target@example.org", "password": "not the password"}
        statuses.append(http.post(f"{server.url}/nl/login", data=data, timeout=60).status_code)

    threads = [threading.Thread(target=attempt, args=browser) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = Counter(statuses)
    report(f"login concurrency: {TRIES} wrong passwords at once, let through [{server.backend}]", str(counts[200]))
    assert counts == {200: login_limits.PAIR.attempts, 429: TRIES - login_limits.PAIR.attempts}, counts

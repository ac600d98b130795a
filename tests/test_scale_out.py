"""Scale-out (issue 17): two gunicorn app servers behind nginx, one PostgreSQL, one Redis (bench/scale_out.py).

Runs when TEST_DATABASE_URL names PostgreSQL and nginx and Redis are there; in CI (PORTAL_REQUIRE_SCALE_OUT=1,
set by .ci/run) a missing part fails the run instead of skipping it. Makes its own database beside the test
database, and empties one Redis database (SCALE_OUT_REDIS_URL, default db 10)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy.engine import make_url

from bench import scale_out_nginx
from bench.scale_out import DEFAULT_REDIS, check_booking_race, check_edit_seen_everywhere, check_login_limits
from bench.scale_out_cluster import Cluster, started
from tests.support.databases import POSTGRESQL, backends, postgres_url
from tests.support.security_report import report

pytestmark = pytest.mark.scale_out

REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", DEFAULT_REDIS)


def _required() -> bool:
    """In CI a missing part fails instead of skipping."""
    return os.environ.get("CI") == "true" or os.environ.get("PORTAL_REQUIRE_SCALE_OUT") == "1"


def _redis_answers() -> bool:
    try:
        with redis.Redis.from_url(REDIS_URL, socket_timeout=2) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


def _missing() -> list[str]:
    """The parts of the setup this machine lacks."""
    missing = []
    if POSTGRESQL not in backends():
        missing.append("TEST_DATABASE_URL naming PostgreSQL")
    if not scale_out_nginx.available():
        missing.append("nginx (apt-get install nginx)")
    if not _redis_answers():
        missing.append(f"Redis at {REDIS_URL}")
    return missing


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A fresh database <test database>_scale_out, servers A and B (2 workers each) and nginx; dropped after."""
    missing = _missing()
    if missing:
        message = "the scale-out test needs " + ", ".join(missing)
        if _required():
            pytest.fail(message)
        pytest.skip(message)
    name = f"{make_url(postgres_url()).database}_scale_out"[:63]
    with started(postgres_url(), name, REDIS_URL) as running:
        yield running


def _record(check: str, figures: dict) -> None:
    for key, value in figures.items():
        report(f"scale-out, {check}: {key}", str(value))


def test_an_edit_on_server_a_shows_on_server_b_and_through_nginx_at_the_next_request(cluster):
    _record("edit", check_edit_seen_everywhere(cluster))


def test_login_limits_hold_at_the_same_count_across_both_servers(cluster):
    _record("login limits", check_login_limits(cluster))


def test_fifty_residents_booking_ten_places_through_nginx_confirm_exactly_ten(cluster):
    _record("booking race", check_booking_race(cluster))

"""Rate limits live in Redis when it is configured, so every gunicorn worker and machine counts together."""

from __future__ import annotations

import redis

from portal.extensions import db
from tests.factories import UserFactory
from tests.support.accounts import password_step

REDIS = "redis://127.0.0.1:6379/13"


def _five_failures(app, email):
    client = app.test_client()
    for attempt in range(5):
        assert password_step(client, email, f"wrong password {attempt}").status_code == 200


def test_a_second_worker_sees_the_failures_counted_by_the_first(make_app):
    redis.Redis.from_url(REDIS).flushdb()
    UserFactory(email="target@example.org")
    db.session.commit()
    _five_failures(make_app(None, RATELIMIT_STORAGE_URI=REDIS), "target@example.org")
    other_worker = make_app(None, RATELIMIT_STORAGE_URI=REDIS)
    assert password_step(other_worker.test_client(), "target@example.org", "wrong").status_code == 429
    assert redis.Redis.from_url(REDIS).dbsize() > 0


def test_without_redis_the_login_limit_holds_across_processes(make_app):
    UserFactory(email="target@example.org")
    db.session.commit()
    _five_failures(make_app(None, RATELIMIT_STORAGE_URI="memory://"), "target@example.org")
    other_process = make_app(None, RATELIMIT_STORAGE_URI="memory://")
    assert password_step(other_process.test_client(), "target@example.org", "wrong").status_code == 429


def test_rate_limits_use_redis_when_redis_url_is_set(tmp_path):
    from portal.config import load_config

    assert load_config(tmp_path, {"REDIS_URL": REDIS})["RATELIMIT_STORAGE_URI"] == REDIS
    assert load_config(tmp_path, {})["RATELIMIT_STORAGE_URI"] == "memory://"

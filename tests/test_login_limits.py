"""Limits on passwords, codes and resets hold without Redis, and a stranger cannot lock the owner out."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.models import AuthThrottle, LoginSession
from portal.services.accounts import login_limits, throttle
from portal.services.accounts.second_factor import SECOND_FACTOR_MAX_ATTEMPTS, new_totp_secret
from tests.factories import UserFactory
from tests.support.accounts import csrf_token, password_step, post_form, totp_code
from tests.support.mail import link_in, outbox
from tests.support.security_report import report

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def no_redis(make_app):
    """An app whose rate-limit store (Redis) does not answer, with Flask-Limiter on as in production."""
    return make_app(None, RATELIMIT_STORAGE_URI=DEAD_REDIS, RATELIMIT_ENABLED=True)


def _backend(app) -> str:
    return "postgresql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "sqlite"


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_redis_down_forty_wrong_passwords_meet_the_limit_and_the_right_one_waits(no_redis):
    UserFactory(email="target@example.org")
    db.session.commit()
    client = no_redis.test_client()
    statuses = [password_step(client, "target@example.org", f"wrong {i}").status_code for i in range(40)]
    let_through = statuses.count(200)
    report(f"Redis down, wrong passwords let through of 40 (limit 5) [{_backend(no_redis)}]", str(let_through))
    assert let_through == login_limits.PAIR.attempts
    assert set(statuses[let_through:]) == {429}
    assert password_step(client, "target@example.org").status_code == 429


def _pending_totp_login(app, client):
    secret = new_totp_secret()
    UserFactory(email="staff@example.org", role="broker", second_factor="totp", totp_secret=secret)
    db.session.commit()
    assert password_step(client, "staff@example.org").status_code == 302
    return secret


def test_redis_down_the_second_factor_has_a_hard_cap(no_redis):
    client = no_redis.test_client()
    secret = _pending_totp_login(no_redis, client)
    token = csrf_token(client, "/nl/login/code")
    statuses = [
        client.post("/nl/login/code", data={"csrf_token": token, "code": "000000"}).status_code for _ in range(20)
    ]
    let_through = statuses.count(200)
    report(
        f"Redis down, wrong TOTP codes let through of 20 (cap {SECOND_FACTOR_MAX_ATTEMPTS}) [{_backend(no_redis)}]",
        str(let_through),
    )
    assert let_through == SECOND_FACTOR_MAX_ATTEMPTS
    login = db.session.query(LoginSession).one()
    assert login.end_reason == "too_many_codes" and login.second_factor_at is None
    # The right code no longer completes that login: it starts again at the password.
    response = client.post("/nl/login/code", data={"csrf_token": token, "code": totp_code(secret)})
    assert response.status_code in (302, 400) and "/login/code" not in response.headers.get("Location", "")
    assert db.session.query(LoginSession).filter(LoginSession.second_factor_at.is_not(None)).count() == 0


def test_redis_down_is_logged_as_an_error_and_healthz_says_degraded(no_redis, caplog):
    caplog.set_level(logging.ERROR)
    response = no_redis.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "redis": "unavailable"}
    assert any(record.levelno >= logging.ERROR for record in caplog.records)


def test_a_stranger_elsewhere_cannot_lock_the_owner_out(app):
    UserFactory(email="owner@example.org")
    db.session.commit()
    stranger = _from(app, "203.0.113.9")
    for i in range(10):
        password_step(stranger, "owner@example.org", f"guess {i}")
    assert password_step(stranger, "owner@example.org", "guess").status_code == 429
    owner = _from(app, "198.51.100.7")
    assert password_step(owner, "owner@example.org").status_code == 302


def test_a_spread_out_attack_meets_the_account_limit_and_the_owner_unlocks_with_the_mailed_link(app):
    UserFactory(email="owner@example.org", locale="tr")
    db.session.commit()
    for i in range(login_limits.ACCOUNT.attempts):
        assert password_step(_from(app, f"203.0.113.{i + 1}"), "owner@example.org", "guess").status_code == 200
    refused = password_step(_from(app, "203.0.113.200"), "owner@example.org", "guess")
    assert refused.status_code == 429
    mails = [m for m in outbox(app) if m["To"] == "owner@example.org"]
    assert len(mails) == 1 and mails[0]["Content-Language"] == "tr"
    # More refused tries send no second mail within 15 minutes.
    password_step(_from(app, "203.0.113.201"), "owner@example.org", "guess")
    assert len([m for m in outbox(app) if m["To"] == "owner@example.org"]) == 1

    owner = _from(app, "198.51.100.7")
    assert password_step(owner, "owner@example.org").status_code == 429  # still paused for this browser
    link = link_in(mails[0]).replace("http://localhost", "")
    page = owner.get(link)
    assert page.status_code == 200
    assert post_form(owner, link, {}).status_code == 302
    assert password_step(owner, "owner@example.org").status_code == 302
    # The stranger's browser is still refused.
    assert password_step(_from(app, "203.0.113.202"), "owner@example.org", "guess").status_code == 429


@pytest.mark.parametrize("token", ["", "x" * 40, "abc.def.ghi"])
def test_a_bad_unlock_link_is_refused(client, token):
    assert client.get(f"/nl/login/unlock/{token}x").status_code == 400


def test_an_unlock_link_dies_with_a_new_password(app, client):
    from portal.services.accounts import unlock
    from portal.services.accounts.passwords import hash_password

    user = UserFactory(email="owner@example.org")
    db.session.commit()
    token = unlock.link_token(app.config["SECRET_KEY"], user)
    assert client.get(f"/nl/login/unlock/{token}").status_code == 200
    user.password_hash = hash_password("an entirely new password 42")
    db.session.commit()
    assert client.get(f"/nl/login/unlock/{token}").status_code == 400


def test_a_trusted_device_cookie_for_one_account_does_not_open_another(app):
    from portal.services.accounts import unlock

    user = UserFactory(email="owner@example.org")
    db.session.commit()
    cookie = unlock.device_cookie(app.config["SECRET_KEY"], user)
    assert unlock.is_trusted_device(app.config["SECRET_KEY"], cookie, " OWNER@example.org")
    assert not unlock.is_trusted_device(app.config["SECRET_KEY"], cookie, "other@example.org")
    assert not unlock.is_trusted_device(app.config["SECRET_KEY"], cookie + "x", "owner@example.org")
    assert not unlock.is_trusted_device("another key that is long enough 0123456789", cookie, "owner@example.org")


def test_login_codes_are_resent_three_times_per_ten_minutes(app, client):
    UserFactory(email="resident@example.org", second_factor="email")
    db.session.commit()
    assert password_step(client, "resident@example.org").status_code == 302
    before = len(outbox(app))
    for _ in range(6):
        client.post("/nl/login/code/resend", data={"csrf_token": csrf_token(client, "/nl/login/code")})
    assert len(outbox(app)) - before == login_limits.CODE_RESEND.attempts


def test_redis_down_reset_mails_are_limited_per_account_without_saying_so(no_redis):
    UserFactory(email="owner@example.org")
    db.session.commit()
    pages = []
    for i in range(6):
        client = _from(no_redis, f"203.0.113.{i + 1}")
        pages.append(post_form(client, "/nl/password/forgotten", {"email": "owner@example.org"}).status_code)
    assert set(pages) == {200}
    sent = len([m for m in outbox(no_redis) if m["To"] == "owner@example.org"])
    report(f"Redis down, reset mails sent of 6 requests (limit 3) [{_backend(no_redis)}]", str(sent))
    assert sent == login_limits.RESET_ACCOUNT.attempts


def test_throttle_counts_exactly_under_threads(app):
    results = []
    barrier = threading.Barrier(12)

    def attempt():
        with app.app_context():
            barrier.wait()
            results.append(throttle.take("race", 5, timedelta(minutes=15)))
            db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 5 and results.count(False) == 7


def test_throttle_starts_a_new_window(app):
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    window = timedelta(minutes=15)
    assert [throttle.take("k", 2, window, now=start) for _ in range(3)] == [True, True, False]
    assert throttle.take("k", 2, window, now=start + window) is True
    assert throttle.used("k", window, now=start + window) == 1
    assert throttle.purge(now=start + timedelta(days=2)) == 1
    assert db.session.query(AuthThrottle).count() == 0


def test_erasing_an_account_forgets_its_counters(app):
    login_limits.password_try("gone@example.org", "203.0.113.1", trusted_device=False)
    other = login_limits.password_try("stays@example.org", "203.0.113.1", trusted_device=False)
    assert other is None
    login_limits.forget_account("gone@example.org")
    db.session.commit()
    keys = [row.key for row in db.session.query(AuthThrottle)]
    assert all(login_limits._account("gone@example.org") not in key for key in keys)
    assert any(login_limits._account("stays@example.org") in key for key in keys)

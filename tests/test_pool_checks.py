"""Pooled PostgreSQL connections: no ping while busy, a ping after sitting idle, and a dropped one replaced."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from portal import pool_checks
from portal.extensions import db


@pytest.fixture
def pings(app, monkeypatch):
    """Every ping the pool sends, counted (PostgreSQL only: SQLite's connections are never pinged)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pooled PostgreSQL connections")
    sent = []
    real_ping = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda connection: sent.append(1) or real_ping(connection))
    db.session.remove()
    return sent


def _backend_pid() -> int:
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.remove()  # the connection goes back into the pool
    return pid


def _idle_for(seconds: float, monkeypatch) -> None:
    now = pool_checks.time.monotonic()
    monkeypatch.setattr(pool_checks.time, "monotonic", lambda: now + seconds)


def test_a_connection_in_use_is_not_pinged(pings, client):
    _backend_pid()
    for _ in range(3):
        assert client.get("/nl/privacy").status_code == 200
    assert pings == []


def test_a_connection_idle_for_a_while_is_pinged_once(pings, monkeypatch):
    first = _backend_pid()
    _idle_for(pool_checks.IDLE_BEFORE_PING_SECONDS + 1, monkeypatch)
    assert _backend_pid() == first
    assert pings == [1]


def test_a_dropped_idle_connection_is_replaced_before_use(pings, monkeypatch):
    dropped = _backend_pid()
    outside = create_engine(db.engine.url, poolclass=NullPool)  # another client ends the pooled one's backend
    with outside.begin() as other:
        assert other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    outside.dispose()
    _idle_for(pool_checks.IDLE_BEFORE_PING_SECONDS + 1, monkeypatch)
    replacement = _backend_pid()
    assert replacement != dropped
    assert pings  # the dead connection was found by the ping, not by the query

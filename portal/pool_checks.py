"""Pooled PostgreSQL connections are checked with a ping before use only after they sat idle, not on every request.

SQLAlchemy's `pool_pre_ping` sends one round trip more per request to find connections the server or the network
dropped; those are idle ones (a restarted database, a firewall that ends quiet sockets). A connection handed back
moments ago by the last request is alive: under load the ping is skipped, after a quiet spell it is sent. A dropped
connection found by the ping is replaced before the request uses it (the pool retries with a new one)."""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from portal.extensions import db

IDLE_BEFORE_PING_SECONDS = 5.0
_IDLE_SINCE = "portal_idle_since"


def _checked_in(dbapi_connection, record) -> None:
    """Note when the connection went back into the pool."""
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_when_idle(engine: Engine):
    """A checkout listener for `engine` that pings a connection idle for IDLE_BEFORE_PING_SECONDS or more."""
    dialect = engine.dialect

    def _checked_out(dbapi_connection, record, proxy) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError("the pooled connection was dropped") from error
            raise

    return _checked_out


def init_app(app: Flask) -> None:
    """On PostgreSQL, ping pooled connections only after they sat idle (SQLite's files never drop a connection)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql" or event.contains(engine.pool, "checkin", _checked_in):
        return
    event.listen(engine.pool, "checkin", _checked_in)
    event.listen(engine.pool, "checkout", _ping_when_idle(engine))

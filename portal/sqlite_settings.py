"""SQLite for several workers on one file: a write-ahead log, and waiting on a busy lock instead of failing."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from portal.extensions import db

BUSY_TIMEOUT_MS = 30_000


def _on_connect(dbapi_connection, connection_record) -> None:
    """Set the pragmas on every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def init_app(app: Flask) -> None:
    """Install the pragmas on the app's engine when it is SQLite."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _on_connect):
        event.listen(engine, "connect", _on_connect)

"""SQLite for several workers on one file: a write-ahead log, a disk sync per checkpoint, waiting on a busy lock."""

from __future__ import annotations

from functools import partial

from flask import Flask
from sqlalchemy import event

from portal.extensions import db

BUSY_TIMEOUT_MS = 30_000
# SQLite's `synchronous` levels the portal accepts. NORMAL (the default) syncs the disk when the write-ahead log
# is copied into the database, not on every commit: a killed worker loses nothing, a power cut may lose the last
# commits. FULL syncs every commit (about 1.7 ms here, with the write lock held through it).
SYNCHRONOUS_LEVELS = ("NORMAL", "FULL", "EXTRA")


def _on_connect(dbapi_connection, connection_record, synchronous: str = "NORMAL") -> None:
    """Set the pragmas on every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


_LISTENERS = {level: partial(_on_connect, synchronous=level) for level in SYNCHRONOUS_LEVELS}


def init_app(app: Flask) -> None:
    """Install the pragmas on the app's engine when it is SQLite."""
    with app.app_context():
        engine = db.engine
    listener = _LISTENERS[app.config.get("PORTAL_SQLITE_SYNCHRONOUS", "NORMAL")]
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", listener):
        event.listen(engine, "connect", listener)

"""SQLite's pragmas on every connection: write-ahead log, the chosen disk sync, a busy timeout."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from portal import create_app
from portal.config import ConfigError, load_config, validate_config
from portal.extensions import db
from tests.conftest import base_config

LEVEL_NUMBERS = {"NORMAL": 1, "FULL": 2, "EXTRA": 3}


def _pragmas(tmp_path, **settings) -> dict:
    app = create_app(base_config(tmp_path) | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"} | settings)
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                return {
                    name: connection.execute(text(f"PRAGMA {name}")).scalar()
                    for name in ("journal_mode", "synchronous", "busy_timeout")
                }
        finally:
            db.engine.dispose()


def test_default_is_wal_with_a_sync_per_checkpoint(tmp_path):
    assert load_config(tmp_path, {})["PORTAL_SQLITE_SYNCHRONOUS"] == "NORMAL"
    assert _pragmas(tmp_path) == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 30_000}


@pytest.mark.parametrize("level", ["full", "EXTRA", " normal ", ""])
def test_the_sync_level_comes_from_the_environment(tmp_path, level):
    config = load_config(tmp_path, {"PORTAL_SQLITE_SYNCHRONOUS": level})
    assert (
        _pragmas(tmp_path, PORTAL_SQLITE_SYNCHRONOUS=config["PORTAL_SQLITE_SYNCHRONOUS"])["synchronous"]
        == (LEVEL_NUMBERS[level.strip().upper() or "NORMAL"])
    )


@pytest.mark.parametrize("level", ["OFF", "0", "NORMAL; DROP TABLE users", "fast"])
def test_an_unsafe_or_unknown_level_is_refused(tmp_path, level):
    with pytest.raises(ConfigError, match="PORTAL_SQLITE_SYNCHRONOUS"):
        validate_config(load_config(tmp_path, {"PORTAL_SQLITE_SYNCHRONOUS": level}))


def test_each_app_sets_its_own_level(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    first, second = _pragmas(tmp_path / "a"), _pragmas(tmp_path / "b", PORTAL_SQLITE_SYNCHRONOUS="FULL")
    assert (first["synchronous"], second["synchronous"]) == (1, 2)

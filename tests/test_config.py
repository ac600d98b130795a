"""Configuration: read from the environment, refused when unsafe."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from portal import create_app
from portal.config import ConfigError, load_config, normalise_database_url, validate_config

GOOD_KEY = "k" * 48


def _config(tmp_path, **env) -> dict:
    return load_config(tmp_path, {key: str(value) for key, value in env.items()})


def test_development_generates_a_secret_key_once(tmp_path):
    first = _config(tmp_path)["SECRET_KEY"]
    second = _config(tmp_path)["SECRET_KEY"]
    assert len(first) >= 48
    assert first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("key", ["", "change-me", "dev", "short-key"])
def test_production_refuses_a_missing_or_weak_secret_key(tmp_path, key):
    config = _config(tmp_path, PORTAL_ENV="production", SECRET_KEY=key)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        validate_config(config)
    assert not (tmp_path / "secret_key").exists(), "production must never generate a key"


def test_production_refuses_debug(tmp_path):
    config = _config(tmp_path, PORTAL_ENV="production", SECRET_KEY=GOOD_KEY, FLASK_DEBUG="1")
    with pytest.raises(ConfigError, match="debug"):
        validate_config(config)


def test_production_with_a_real_key_starts_with_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/p.db")
    monkeypatch.setenv("PORTAL_MESSAGE_KEYS", Fernet.generate_key().decode())
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_to_start_without_message_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/p.db")
    monkeypatch.delenv("PORTAL_MESSAGE_KEYS", raising=False)
    with pytest.raises(ConfigError, match="PORTAL_MESSAGE_KEYS"):
        create_app()


def test_create_app_refuses_production_without_key(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_settings_come_from_the_environment(tmp_path):
    config = _config(
        tmp_path,
        DATABASE_URL="postgresql://u@db/portal",
        REDIS_URL="redis://127.0.0.1:6379/0",
        MAIL_SERVER="smtp.example.org",
        MAIL_PORT="2525",
        PORTAL_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png",
        PORTAL_NEIGHBOURHOOD="kanaleneiland",
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/portal"
    assert config["REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert config["MAIL_SERVER"] == "smtp.example.org"
    assert config["MAIL_PORT"] == 2525
    assert config["PORTAL_TILE_URL"].startswith("https://tiles.example.org/")
    assert config["PORTAL_NEIGHBOURHOOD"] == "kanaleneiland"
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_default_database_is_sqlite_in_instance(tmp_path):
    assert _config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "https://tiles.example.org/tile.png", "ftp://x/{z}/{x}/{y}", "not a url"]
)
def test_bad_tile_url_is_refused(tmp_path, url):
    with pytest.raises(ConfigError, match="PORTAL_TILE_URL"):
        validate_config(_config(tmp_path, PORTAL_TILE_URL=url))


def test_bad_mail_port_is_refused_with_a_message(tmp_path):
    with pytest.raises(ConfigError, match="MAIL_PORT"):
        _config(tmp_path, MAIL_PORT="twenty-five")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://a@b/c", "postgresql+psycopg://a@b/c"),
        ("postgresql://a@b/c", "postgresql+psycopg://a@b/c"),
        ("postgresql+psycopg://a@b/c", "postgresql+psycopg://a@b/c"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_the_page_cache_is_on_disk_in_the_instance_folder_unless_redis_is_set(tmp_path):
    assert _config(tmp_path)["PORTAL_PAGE_CACHE"] == "disk"
    assert _config(tmp_path)["PORTAL_PAGE_CACHE_DIR"] == str(tmp_path / "page-cache")
    assert _config(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")["PORTAL_PAGE_CACHE"] == "redis"
    assert _config(tmp_path, REDIS_URL="redis://r/0", PORTAL_PAGE_CACHE="Off")["PORTAL_PAGE_CACHE"] == "off"


@pytest.mark.parametrize(("env", "message"), [({"PORTAL_PAGE_CACHE": "memory"}, "redis, disk or off"),
                                               ({"PORTAL_PAGE_CACHE": "redis"}, "needs REDIS_URL")])  # fmt: skip
def test_a_page_cache_that_cannot_work_is_refused(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        validate_config(_config(tmp_path, **env))

"""Settings from the environment (and instance/), checked at start-up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

LANGUAGES = ("nl", "en", "tr", "ar")
RTL_LANGUAGES = frozenset({"ar"})
DEFAULT_LANGUAGE = "nl"
TIMEZONE = "Europe/Amsterdam"
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'

PLACEHOLDER_KEYS = frozenset({"", "change-me", "changeme", "dev", "secret", "development"})
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """Raised when the configuration cannot run the portal safely."""


def _bool(value: str | None, default: bool = False) -> bool:
    """Read an environment flag such as 1/true/yes/on."""
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env, name: str, default: int) -> int:
    """Read a whole-number setting; raise ConfigError naming it when it is not one."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def normalise_database_url(url: str) -> str:
    """Point plain postgresql:// URLs at the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _development_secret_key(instance_path: Path) -> str:
    """Return the key kept in instance/secret_key, creating it once."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_config(instance_path: Path, environ: dict[str, str] | None = None) -> dict:
    """Build the Flask settings from environment variables."""
    env = os.environ if environ is None else environ
    portal_env = env.get("PORTAL_ENV", "development").strip().lower()
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'portal.db'}"
    secret_key = env.get("SECRET_KEY", "")
    if not secret_key and portal_env != "production":
        secret_key = _development_secret_key(instance_path)
    return {
        "PORTAL_ENV": portal_env,
        "DEBUG": _bool(env.get("FLASK_DEBUG")),
        "TESTING": False,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {},  # pooled connections: see portal/pool_checks.py
        "PORTAL_SQLITE_SYNCHRONOUS": (env.get("PORTAL_SQLITE_SYNCHRONOUS", "").strip() or "NORMAL").upper(),
        "REDIS_URL": env.get("REDIS_URL", ""),
        "CACHE_TYPE": "RedisCache" if env.get("REDIS_URL") else "NullCache",
        "CACHE_REDIS_URL": env.get("REDIS_URL", ""),
        "CACHE_KEY_PREFIX": "wijkportaal:",
        "CACHE_NO_NULL_WARNING": True,
        "CACHE_DEFAULT_TIMEOUT": 300,
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int(env, "MAIL_PORT", 587),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), default=True),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "wijkportaal@localhost"),
        "PORTAL_TILE_URL": env.get("PORTAL_TILE_URL", DEFAULT_TILE_URL),
        "PORTAL_TILE_ATTRIBUTION": env.get("PORTAL_TILE_ATTRIBUTION", DEFAULT_TILE_ATTRIBUTION),
        "PORTAL_NEIGHBOURHOOD": env.get("PORTAL_NEIGHBOURHOOD", "overvecht"),
        "PORTAL_CONTENT_DIR": env.get("PORTAL_CONTENT_DIR", str(Path(__file__).parent.parent / "content")),
        "PORTAL_BASE_URL": env.get("PORTAL_BASE_URL", "").rstrip("/"),
        "PORTAL_OUTBOX_DIR": env.get("PORTAL_OUTBOX_DIR", str(instance_path / "outbox")),
        "PORTAL_MESSAGE_KEYS": env.get("PORTAL_MESSAGE_KEYS", ""),
        "PORTAL_ATTACHMENT_DIR": env.get("PORTAL_ATTACHMENT_DIR", str(instance_path / "attachments")),
        "PORTAL_HUISARTSENPOST_PHONE": env.get("PORTAL_HUISARTSENPOST_PHONE", "088 130 96 70"),
        "BABEL_DEFAULT_LOCALE": DEFAULT_LANGUAGE,
        "BABEL_DEFAULT_TIMEZONE": TIMEZONE,
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent.parent / "translations"),
        "LANGUAGES": LANGUAGES,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": portal_env == "production",
        "PREFERRED_URL_SCHEME": "https" if portal_env == "production" else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "PORTAL_STAFF_IDLE_SECONDS": _int(env, "PORTAL_STAFF_IDLE_SECONDS", 30 * 60),
        "PORTAL_RESIDENT_IDLE_SECONDS": _int(env, "PORTAL_RESIDENT_IDLE_SECONDS", 60 * 60),
        "PORTAL_SESSION_MAX_SECONDS": _int(env, "PORTAL_SESSION_MAX_SECONDS", 12 * 60 * 60),
        "PORTAL_TRUSTED_PROXIES": _int(env, "PORTAL_TRUSTED_PROXIES", 0),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": "wijkportaal-limits",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
    } | _page_cache_settings(env, instance_path)


def _page_cache_settings(env, instance_path: Path) -> dict:
    """Whole public pages for anonymous visitors: in Redis with REDIS_URL, else in files that every worker on
    this machine shares (never per-process memory); PORTAL_PAGE_CACHE=off renders every request."""
    kind = env.get("PORTAL_PAGE_CACHE", "").strip().lower() or ("redis" if env.get("REDIS_URL") else "disk")
    return {
        "PORTAL_PAGE_CACHE": kind,
        "PORTAL_PAGE_CACHE_DIR": env.get("PORTAL_PAGE_CACHE_DIR", str(instance_path / "page-cache")),
    }


def validate_config(config) -> None:
    """Refuse to start with settings that are unsafe or cannot work; raise ConfigError."""
    problems = []
    if config.get("PORTAL_ENV") not in {"development", "production", "testing"}:
        problems.append("PORTAL_ENV must be development, production or testing")
    key = config.get("SECRET_KEY") or ""
    if config.get("PORTAL_ENV") == "production":
        if key.strip().lower() in PLACEHOLDER_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
            problems.append(f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} characters")
        if config.get("DEBUG"):
            problems.append("debug mode (FLASK_DEBUG) must be off in production")
    elif not key:
        problems.append("SECRET_KEY is empty")
    tile_url = config.get("PORTAL_TILE_URL", "")
    parts = urlsplit(tile_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or "{z}" not in tile_url:
        problems.append("PORTAL_TILE_URL must be an http(s) URL with {z}, {x} and {y}")
    if config.get("PORTAL_STAFF_IDLE_SECONDS", 1) > 30 * 60:
        problems.append("PORTAL_STAFF_IDLE_SECONDS may be at most 1800 (30 minutes)")
    if min(config.get(name, 1) for name in ("PORTAL_STAFF_IDLE_SECONDS", "PORTAL_RESIDENT_IDLE_SECONDS")) < 1:
        problems.append("idle timeouts must be positive")
    base_url = urlsplit(config.get("PORTAL_BASE_URL") or "http://localhost")
    if base_url.scheme not in {"http", "https"} or not base_url.netloc or base_url.query or base_url.fragment:
        problems.append("PORTAL_BASE_URL must be an http(s) URL such as https://wijkportaal.example.nl")
    page_cache = config.get("PORTAL_PAGE_CACHE", "off")
    if page_cache not in {"redis", "disk", "off"}:
        problems.append("PORTAL_PAGE_CACHE must be redis, disk or off")
    elif page_cache == "redis" and not config.get("REDIS_URL"):
        problems.append("PORTAL_PAGE_CACHE=redis needs REDIS_URL")
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        problems.append("DATABASE_URL is empty")
    if config.get("PORTAL_SQLITE_SYNCHRONOUS", "NORMAL") not in {"NORMAL", "FULL", "EXTRA"}:
        problems.append("PORTAL_SQLITE_SYNCHRONOUS must be NORMAL, FULL or EXTRA")
    if problems:
        raise ConfigError("Invalid configuration: " + "; ".join(problems))

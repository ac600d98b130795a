"""The message keys: Fernet keys from PORTAL_MESSAGE_KEYS (newest first), or in development derived from SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from flask import Flask

from portal.config import ConfigError
from portal.models.sealed import EXTENSION_KEY


def derived_key(secret_key: str) -> bytes:
    """A Fernet key derived from the app's secret key: for development and tests only."""
    digest = hashlib.sha256(b"wijkportaal message key\0" + secret_key.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest)


def configured_keys(config) -> list[bytes]:
    """The Fernet keys in the configuration, newest first; raises ConfigError when one is not a Fernet key."""
    raw = config.get("PORTAL_MESSAGE_KEYS") or ""
    keys = [part.strip().encode("ascii") for part in raw.split(",") if part.strip()]
    if not keys:
        if config.get("PORTAL_ENV") == "production":
            raise ConfigError("PORTAL_MESSAGE_KEYS must hold at least one Fernet key in production")
        return [derived_key(config["SECRET_KEY"])]
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError("PORTAL_MESSAGE_KEYS holds a value that is not a Fernet key") from None
    return keys


def key_ring_for(config) -> MultiFernet:
    """A MultiFernet that encrypts with the first key and decrypts with any."""
    return MultiFernet([Fernet(key) for key in configured_keys(config)])


def init_app(app: Flask) -> None:
    """Register the key ring that SealedText columns and the attachment store use."""
    app.extensions[EXTENSION_KEY] = key_ring_for(app.config)

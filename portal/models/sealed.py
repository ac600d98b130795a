"""SealedText: a text column encrypted at rest with the portal's message keys (Fernet, newest key first)."""

from __future__ import annotations

from cryptography.fernet import InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

EXTENSION_KEY = "portal_sealing"


def key_ring() -> MultiFernet:
    """The app's message keys (registered by portal.sealing at start-up)."""
    return current_app.extensions[EXTENSION_KEY]


class SealedText(TypeDecorator):
    """Stores a str as a Fernet token, so a copy of the database shows no content; reads it back as str."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Encrypt the text with the newest key."""
        if value is None:
            return None
        return key_ring().encrypt(value.encode("utf-8")).decode("ascii")

    def process_result_value(self, value, dialect):
        """Decrypt with any known key; a token no key opens reads as an empty string and is logged."""
        if value is None:
            return None
        try:
            return key_ring().decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken:
            current_app.logger.error("a sealed text could not be opened with the configured message keys")
            return ""

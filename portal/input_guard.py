"""Refuse input no page can use before anything reads it: NUL bytes (PostgreSQL cannot store them)."""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import BaseConverter


class SlugConverter(BaseConverter):
    """Matches lowercase slugs only, so any other text in their place is a plain 404."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+){0,20}"


def _refuse_nul() -> None:
    if "\x00" in request.path or b"\x00" in request.query_string or b"%00" in request.query_string:
        abort(400)


def init_app(app: Flask) -> None:
    """Install the slug converter and the NUL check."""
    app.url_map.converters["slug"] = SlugConverter
    app.before_request(_refuse_nul)

"""Refuse input no page can use before anything reads it: NUL bytes, ids beyond what the database can hold."""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import BaseConverter, IntegerConverter

from portal.models.base import MAX_ID


class SlugConverter(BaseConverter):
    """Matches lowercase slugs only, so any other text in their place is a plain 404."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+){0,20}"


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 1 up to MAX_ID, so a larger number is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's argument name
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _refuse_nul() -> None:
    if "\x00" in request.path or b"\x00" in request.query_string or b"%00" in request.query_string:
        abort(400)


def init_app(app: Flask) -> None:
    """Install the slug and bounded id converters and the NUL check."""
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_nul)

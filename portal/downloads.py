"""Responses that the browser saves as a file (data exports, calendar files)."""

from __future__ import annotations

from flask import Response, current_app


def file_download(body: str | bytes, mimetype: str, filename: str) -> Response:
    """A response with `body` that the browser offers to save as `filename` (plain ASCII name)."""
    return current_app.response_class(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )

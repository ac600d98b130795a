"""Responses that the browser saves as a file (data exports, calendar files)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, current_app


def file_download(body: str | bytes, mimetype: str, filename: str) -> Response:
    """A response with `body` that the browser offers to save as `filename` (plain ASCII name)."""
    return current_app.response_class(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def named_download(body: bytes, mimetype: str, filename: str) -> Response:
    """A private download with a name in any script (RFC 6266 filename*), never shown inline by the browser."""
    ascii_name = filename.encode("ascii", "ignore").decode("ascii").replace('"', "") or "download"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    response = current_app.response_class(body, mimetype=mimetype, headers={"Content-Disposition": disposition})
    response.headers["Cache-Control"] = "private, no-store"
    return response

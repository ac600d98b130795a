"""Request logging as JSON lines with a request id; no personal data, no query strings."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request
from werkzeug.wrappers import Response

logger = logging.getLogger("portal.request")
REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonLineFormatter(logging.Formatter):
    """Format a record and its `fields` extra as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as a single JSON line."""
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update(getattr(record, "fields", {}))
        return json.dumps(payload, ensure_ascii=False)


def request_id() -> str:
    """The id of the request being served (set before any view runs)."""
    return g.get("request_id", "-")


def _start() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    started = g.get("request_started")
    fields = {
        "request_id": request_id(),
        "method": request.method,
        "path": request.path,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
    }
    logger.info("request", extra={"fields": fields})
    return response


def init_app(app: Flask) -> None:
    """Attach the request hooks and a JSON handler on stderr."""
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLineFormatter())
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.WARNING if app.config.get("TESTING") else logging.INFO)
    app.before_request(_start)
    app.after_request(_finish)

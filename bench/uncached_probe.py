"""Uncached server time (p50) and SQL statements of the named pages, in-process (JSON on stdout).

    python bench/uncached_probe.py '{"home": "/nl/", ...}' [requests]

Uses bench/uncached_pages.py (make_app, measure_pages) when it is there; until then the same measurement here:
the portal with the shared page cache off, Flask's test client, the statements counted on the engine."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _fallback_app():
    os.environ.pop("REDIS_URL", None)
    from portal import create_app

    return create_app({"RATELIMIT_ENABLED": False})


def _fallback_measure(app, urls: dict[str, str], requests: int) -> list[dict]:
    from sqlalchemy import event

    from portal.extensions import db

    sent = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: sent.append(1))
    client = app.test_client()
    results = []
    for name, url in urls.items():
        for _ in range(3):
            client.get(url)
        sent.clear()
        response = client.get(url)
        statements = len(sent)
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        results.append({"page": name, "url": url, "p50_ms": round(statistics.median(samples), 2),
                        "statements": statements, "status": response.status_code})  # fmt: skip
    return results


def main() -> int:
    """Measure and print {page: {"p50_ms", "statements", "status", "source"}}."""
    urls = json.loads(sys.argv[1])
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    try:
        from bench.uncached_pages import make_app, measure_pages
    except ImportError:
        app, source = _fallback_app(), "bench/uncached_probe.py"
        rows = _fallback_measure(app, urls, requests)
    else:
        app, source = make_app(), "bench/uncached_pages.py"
        rows = [timing.__dict__ for timing in measure_pages(app, urls, requests)]
    keys = ("p50_ms", "statements", "status")
    print(json.dumps({row["page"]: {k: row[k] for k in keys} | {"source": source} for row in rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Uncached server time (p50) and SQL statements of the named pages, in-process (JSON on stdout).

    python bench/uncached_probe.py '{"home": "/nl/", ...}' [requests]

The measurement is bench/uncached_pages.py's (make_app, measure_pages): the portal with the shared page cache off,
Flask's test client, the statements counted on the engine."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.uncached_pages import make_app, measure_pages  # noqa: E402


def main() -> int:
    """Measure and print {page: {"p50_ms", "statements", "status", "source"}}."""
    urls = json.loads(sys.argv[1])
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    app, source = make_app(), "bench/uncached_pages.py"
    rows = [timing.__dict__ for timing in measure_pages(app, urls, requests)]
    keys = ("p50_ms", "statements", "status")
    print(json.dumps({row["page"]: {k: row[k] for k in keys} | {"source": source} for row in rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

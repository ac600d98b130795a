"""Server time and SQL statements of every anonymous public page, uncached, via the Flask test client.

Usage: DATABASE_URL=sqlite:////tmp/bench.db python bench/uncached_pages.py [--requests 50] [--langs nl,ar]
Load the data first (`flask db upgrade && flask seed-demo && flask seed-bench`). The page cache is
switched off (REDIS_URL is ignored), so every request runs the view, its queries and its templates.
Prints per page p50/p90 server milliseconds over N requests and the SQL statements of one request;
`--profile PATH` prints where one page's time goes instead. `measure_pages(app, ...)` is the reusable part."""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LANGUAGES = ("nl", "en", "tr", "ar")
PAGES = {
    "home": "/{lang}/",
    "list": "/{lang}/programmes",
    "filters": "/{lang}/programmes?category=bewegen&day=tue&time=morning&cost=free",
    "list_page_5": "/{lang}/programmes?page=5",
    "programme": "/{lang}/programmes/bench-0042",
    "map": "/{lang}/map",
    "map_data": "/api/v1/map/locations.geojson?lang={lang}",
    "routekaarten": "/{lang}/routekaarten",
    "meer_bewegen": "/{lang}/routekaarten/meer-bewegen",
    "vitale_kinderen": "/{lang}/routekaarten/vitale-kinderen",
    "organisations": "/{lang}/organisations",
}
BASELINE = "/livez"  # a trivial route of the same app: what the framework alone costs on this machine now
TARGET_P50_MS = 5.0


@dataclass(frozen=True)
class PageTiming:
    """One page's server time over several requests and the SQL statements one request issues."""

    page: str
    url: str
    p50_ms: float
    p90_ms: float
    cpu_p50_ms: float  # this process's CPU time: the app's own work, steadier than wall time on a busy machine
    statements: int
    status: int
    bytes: int


def make_app():
    """The portal as configured by the environment, with the shared page cache off."""
    os.environ.pop("REDIS_URL", None)
    os.environ["PORTAL_PAGE_CACHE"] = "off"  # the disk cache is the default without Redis
    import gc

    from portal import create_app

    app = create_app({"RATELIMIT_ENABLED": False})
    gc.freeze()  # as app.py does for gunicorn
    return app


class StatementCounter:
    """Counts the SQL statements sent on an engine while `active`."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args, **kwargs) -> None:
        self.count += 1


def _one(client, url: str) -> tuple[float, int, int, float]:
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    elapsed, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
    return elapsed, response.status_code, len(response.get_data()), cpu_ms


def measure_pages(app, urls: dict[str, str], requests: int = 50, warmup: int = 3) -> list[PageTiming]:
    """p50/p90 of `requests` test-client GETs and the SQL statement count of one, for each named URL."""
    from portal.extensions import db

    with app.app_context():
        counter = StatementCounter(db.engine)
    client = app.test_client()
    timings = []
    for name, url in urls.items():
        for _ in range(warmup):
            _one(client, url)
        counter.count = 0
        _, status, size, _ = _one(client, url)
        statements = counter.count
        runs = [_one(client, url) for _ in range(requests)]
        samples = sorted(run[0] for run in runs)
        deciles = statistics.quantiles(samples, n=10) if len(samples) > 1 else samples * 9
        cpu = round(statistics.median(run[3] for run in runs), 2)
        p50, p90 = round(statistics.median(samples), 2), round(deciles[8], 2)
        timings.append(PageTiming(name, url, p50, p90, cpu, statements, status, size))
    return timings


def page_urls(languages=LANGUAGES, pages=None) -> dict[str, str]:
    """Every public page in every language, named 'page/lang'."""
    chosen = pages or list(PAGES)
    return {f"{page}/{lang}": PAGES[page].format(lang=lang) for page in chosen for lang in languages}


def profile(app, url: str, requests: int, limit: int = 45, sort: str = "cumulative") -> None:
    """Print the functions where `requests` GETs of `url` spend their time (`sort`: cumulative or tottime)."""
    client = app.test_client()
    for _ in range(3):
        _one(client, url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        _one(client, url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(sort).print_stats(limit)


def _table(timings: list[PageTiming]) -> str:
    lines = [f"{'page':<24} {'p50 ms':>8} {'p90 ms':>8} {'cpu ms':>8} {'SQL':>4} {'status':>6} {'KB':>7}"]
    for t in timings:
        flag = "" if t.p50_ms <= TARGET_P50_MS else "  > 5 ms"
        size = t.bytes / 1024
        row = f"{t.page:<24} {t.p50_ms:>8.2f} {t.p90_ms:>8.2f} {t.cpu_p50_ms:>8.2f} {t.statements:>4} {t.status:>6}"
        lines.append(f"{row} {size:>7.1f}{flag}")
    return "\n".join(lines)


def main() -> int:
    """Measure the pages; exit 1 when a page does not answer 200."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--langs", default=",".join(LANGUAGES))
    parser.add_argument("--pages", default="", help=f"comma-separated, of: {', '.join(PAGES)}")
    parser.add_argument("--json", type=Path, help="also write the timings here")
    parser.add_argument("--profile", metavar="PATH", help="profile one URL instead of measuring")
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"), help="for --profile")
    args = parser.parse_args()
    app = make_app()
    if args.profile:
        profile(app, args.profile, args.requests, sort=args.sort)
        return 0
    urls = {"baseline": BASELINE} | page_urls(args.langs.split(","), [p for p in args.pages.split(",") if p] or None)
    timings = measure_pages(app, urls, args.requests)
    print(f"{app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}, {args.requests} requests per page, no page cache")
    print(_table(timings))
    if args.json:
        args.json.write_text(json.dumps([asdict(t) for t in timings], indent=1))
    return 0 if all(t.status == 200 for t in timings) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Cached anonymous pages against a bare hello-world Flask app, both under gunicorn -w 2, with and without Redis.

Loads the benchmark data set (2,000 programmes), starts the portal (page cache on disk in the instance folder,
then in Redis) and bench/hello_app.py, and loads each page with wrk right after loading hello-world, so each
ratio compares two runs seconds apart on the same, shared cores; the median of --rounds rounds. Also gives the
ratio of the servers' CPU time per request (hello-world's over the page's), which a busy machine moves less.

    .venv/bin/python bench/cached_pages.py [--seconds 5] [--rounds 3] [--caches disk,redis]

SQLite by default; DATABASE_URL=postgresql://… for PostgreSQL. REDIS_URL (default redis://127.0.0.1:6379/13)
is emptied (FLUSHDB) before the Redis run."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402

from bench.wrk_runner import run_wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "/nl/",
    "list": "/nl/programmes",
    "search": "/nl/programmes?q=wandelen",
    "filters": "/nl/programmes?category=bewegen&day=tue&cost=free",
    "programme": "/nl/programmes/bench-0042",
    "map": "/nl/map",
    "map_data": "/api/v1/map/locations.geojson?lang=nl",
    "route_maps": "/nl/routekaarten",
    "route_map": "/nl/routekaarten/meer-bewegen",
    "organisations": "/nl/organisations",
    "privacy": "/en/privacy",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310  (our own local server)
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children so far (gunicorn's master and workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for each in (pid, *map(int, children)):
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / os.sysconf("SC_CLK_TCK")


def load(base: str, pid: int, path: str, args) -> tuple[float, float]:
    """wrk on one URL: requests/s, and the server's CPU milliseconds per request (robust to a busy machine)."""
    before = cpu_seconds(pid)
    result = run_wrk(base + path, args.seconds, args.connections)
    return result.requests_per_second, (cpu_seconds(pid) - before) * 1000 / max(result.requests, 1)


@contextmanager
def gunicorn(env: dict, module: str, workers: int, check_path: str):
    """`module` under gunicorn with `workers` sync workers on a free port; yields (base URL, master pid)."""
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "--no-control-socket", "-w", str(workers),
               "-b", f"127.0.0.1:{port}", module]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(f"http://127.0.0.1:{port}{check_path}")
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=15)


def _prepare(work: Path) -> dict:
    env = os.environ | {
        "PORTAL_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{work}/bench.db",
        "PORTAL_TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png",
        "PORTAL_MESSAGE_KEYS": Fernet.generate_key().decode(),
        "PORTAL_PAGE_CACHE_DIR": str(work / "page-cache"),
        "HOME": str(work),
    }
    env.pop("REDIS_URL", None)
    for command in (("db", "upgrade"), ("seed-demo",), ("seed-bench",)):
        subprocess.run([sys.executable, "-m", "flask", "--app", "app", *command], cwd=ROOT, env=env, check=True)
    return env


def measure(env: dict, cache: str, args) -> dict:
    """Ratios of every page to hello-world, the portal's page cache in `cache` (disk or redis): the median of
    `args.rounds` rounds, each loading hello-world and then the page."""
    portal_env = env | {"PORTAL_ENV": "production", "PORTAL_PAGE_CACHE": cache}
    if cache == "redis":
        portal_env["REDIS_URL"] = args.redis_url
        subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], check=True, capture_output=True)
    runs = {name: [] for name in PAGES}
    with (
        gunicorn(env, "bench.hello_app:app", args.workers, "/") as (hello, hello_pid),
        gunicorn(portal_env, "app:app", args.workers, "/livez") as (portal, portal_pid),
    ):
        for _ in range(args.rounds):
            for name, path in PAGES.items():
                for _ in range(3):  # the first renders and stores; then every request is a hit
                    urllib.request.urlopen(portal + path, timeout=30).read()  # noqa: S310
                runs[name].append((*load(hello, hello_pid, "/", args), *load(portal, portal_pid, path, args)))
    results = {}
    for name, rounds in runs.items():
        hello_rps, hello_cpu, page_rps, page_cpu = (statistics.median(column) for column in zip(*rounds, strict=True))
        results[name] = {
            "path": PAGES[name],
            "ratio": round(statistics.median(page / hello for hello, _, page, _ in rounds), 2),
            "cpu_ratio": round(statistics.median(hello / page for _, hello, _, page in rounds), 2),
            "hello_rps": round(hello_rps),
            "page_rps": round(page_rps),
            "hello_cpu_ms": round(hello_cpu, 3),
            "page_cpu_ms": round(page_cpu, 3),
        }
        row = results[name]
        print(f"  {cache:<6} {name:<14} hello {row['hello_rps']:6} req/s {row['hello_cpu_ms']:.3f} ms CPU"
              f"  page {row['page_rps']:6} req/s {row['page_cpu_ms']:.3f} ms CPU"
              f"  ratio {row['ratio']:.2f}  CPU ratio {row['cpu_ratio']:.2f}", flush=True)  # fmt: skip
    return results


def main() -> int:
    """Seed, measure each page cache, print and write the ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--caches", default="disk,redis")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--output", default="")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wijkportaal-cached-pages-"))
    env = _prepare(work)
    database = env["DATABASE_URL"].split(":")[0]
    results = {"database": database, **{cache: measure(env, cache, args) for cache in args.caches.split(",")}}
    print(f"\nratio to hello-world ({database}, gunicorn -w {args.workers}, wrk -c {args.connections})")
    caches = args.caches.split(",")
    print(f"{'page':<14}" + "".join(f"{cache + ' req/s':>12}{cache + ' CPU':>11}" for cache in caches))
    for name in PAGES:
        cells = (f"{results[cache][name]['ratio']:12.2f}{results[cache][name]['cpu_ratio']:11.2f}" for cache in caches)
        print(f"{name:<14}" + "".join(cells))
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

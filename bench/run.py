"""The load benchmark: the portal under gunicorn (2 workers) with 2,000 programmes, loaded by wrk.

Prints requests/s, p50 and p99 per page and the ratio to a trivial route of the same app measured in
the same run; checks the map page's size and runs Lighthouse; writes bench/results.json. With the messaging
data set (10,000 threads, 100,000 messages) it also measures a professional's inbox and a thread, signed in; with
the referral data set (10,000 referrals) a beweegmakelaar's referral workspace, a GP's sent ones and one referral.
SQLite by default; set DATABASE_URL for PostgreSQL. Uses Redis (REDIS_URL, default
redis://127.0.0.1:6379/15 when it answers) as production does."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402

from bench import messaging_pages, referral_pages  # noqa: E402
from bench.lighthouse_runner import lighthouse_available, run_lighthouse  # noqa: E402
from bench.tile_stub import start_tile_stub  # noqa: E402
from bench.wrk_runner import run_wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "baseline": "/livez",
    "home": "/nl/",
    "list": "/nl/programmes",
    "search": "/nl/programmes?q=wandelen",
    "list_filtered": "/nl/programmes?category=bewegen&day=tue&time=morning&cost=free",
    "programme": "/nl/programmes/bench-0042",
    "map_page": "/nl/map",
    "map_data": "/api/v1/map/locations.geojson?lang=nl",
}
LIGHTHOUSE_PAGES = ("home", "list", "programme", "map_page")
TARGET_RATIO = 0.4
TARGET_P99_MS = 100.0
MAP_PAGE_MAX_BYTES = 150 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_url() -> str:
    if "REDIS_URL" in os.environ:
        return os.environ["REDIS_URL"]
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return "redis://127.0.0.1:6379/15"
    except OSError:
        return ""


def _flask(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env, check=True)


@contextmanager
def _gunicorn(env: dict, port: int, workers: int, log: Path):
    command = [
        sys.executable, "-m", "gunicorn", "--no-control-socket", "-w", str(workers),
        "-b", f"127.0.0.1:{port}", "--access-logfile", "-", "app:app",
    ]  # fmt: skip
    # stderr holds the app's request log, with each request's duration_ms: the server time of the signed-in pages.
    with log.open("ab") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=sink)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=1):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield
    finally:
        process.terminate()
        process.wait(timeout=15)


def _fetch(url: str) -> tuple[int, int]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  (our own local server)
        return response.status, len(response.read())


def main() -> int:
    """Run the benchmark; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--message-threads", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--no-messaging", action="store_true", help="Skip the signed-in inbox and thread pages.")
    parser.add_argument("--referrals", type=int, default=10_000)
    parser.add_argument("--no-referrals", action="store_true", help="Skip the signed-in referral pages.")
    parser.add_argument("--pages", default="", help="Comma-separated public pages to measure (default: all).")
    args = parser.parse_args()
    chosen = {"baseline", *filter(None, args.pages.split(","))} if args.pages else set(PAGES)

    work = Path(tempfile.mkdtemp(prefix="wijkportaal-bench-"))
    tile_server, tile_url = start_tile_stub()
    redis_url = _redis_url()
    env = os.environ | {
        "PORTAL_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{work}/bench.db",
        "REDIS_URL": redis_url,
        "PORTAL_TILE_URL": tile_url,
        # Production refuses to seal messages without a key ring; the seed and the served app share this one.
        "PORTAL_MESSAGE_KEYS": os.environ.get("PORTAL_MESSAGE_KEYS") or Fernet.generate_key().decode(),
        "HOME": str(work),
    }
    if redis_url:
        subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], check=False, capture_output=True)
    print(f"database: {env['DATABASE_URL'].split('@')[-1]}  cache: {redis_url or 'none'}", flush=True)
    _flask(env, "db", "upgrade")
    _flask(env, "seed-demo")  # the route maps name demo programmes; start-up checks them
    started = time.perf_counter()
    _flask(env, "seed-bench")
    print(f"seed-bench took {time.perf_counter() - started:.1f} s", flush=True)
    login = None if args.no_messaging else messaging_pages.seed_and_sign_in(env, args.message_threads, args.messages)
    referral_login = None if args.no_referrals else referral_pages.seed_and_sign_in(env, args.referrals)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    results: dict = {"database": env["DATABASE_URL"].split(":")[0], "cache": "redis" if redis_url else "none"}
    server_log = work / "server.log"
    with _gunicorn(env | {"PORTAL_ENV": "production"}, port, args.workers, server_log):
        status, size = _fetch(base + PAGES["map_page"])
        results["map_page_bytes"] = size
        results["map_data_bytes"] = _fetch(base + PAGES["map_data"])[1]
        pages = {}
        for name, path in ((n, p) for n, p in PAGES.items() if n in chosen):
            for _ in range(4):  # warm up: steady state is what is measured
                _fetch(base + path)
            measured = run_wrk(base + path, args.seconds, args.connections)
            pages[name] = {"path": path, **measured.__dict__}
            print(f"  {name:<14} {measured.requests_per_second:8.0f} req/s  p50 {measured.p50_ms:6.1f} ms"
                  f"  p99 {measured.p99_ms:6.1f} ms  non-2xx {measured.non_2xx}", flush=True)  # fmt: skip
        if login:
            signed_in, results["messaging"] = messaging_pages.measure(
                base, login, args.seconds, args.connections, server_log
            )
            pages |= signed_in
        if referral_login:
            signed_in, results["referrals"] = referral_pages.measure(
                base, referral_login, args.seconds, args.connections, server_log
            )
            pages |= signed_in
        baseline = pages["baseline"]["requests_per_second"]
        for page in pages.values():
            page["ratio"] = round(page["requests_per_second"] / baseline, 2)
        results["pages"] = pages
        if not args.no_lighthouse and lighthouse_available():
            results["lighthouse"] = {name: run_lighthouse(base + PAGES[name]) for name in LIGHTHOUSE_PAGES}
        else:
            results["lighthouse"] = (
                "not run (--no-lighthouse)" if args.no_lighthouse else "not run (npm install --prefix bench; chromium)"
            )
    tile_server.shutdown()

    failures = []
    for name, page in results["pages"].items():
        if name == "baseline" or name in {**messaging_pages.PAGES, **referral_pages.PAGES}:  # own target, below
            continue
        if page["ratio"] < TARGET_RATIO:
            failures.append(f"{name}: {page['ratio']} x baseline < {TARGET_RATIO}")
        if page["p99_ms"] >= TARGET_P99_MS:
            failures.append(f"{name}: p99 {page['p99_ms']} ms >= {TARGET_P99_MS}")
        if page["non_2xx"] or page["socket_errors"]:
            failures.append(f"{name}: {page['non_2xx']} non-2xx, {page['socket_errors']} socket errors")
    if "messaging" in results:
        failures += messaging_pages.failures(results["pages"], results["messaging"])
    if "referrals" in results:
        failures += messaging_pages.failures(results["pages"], results["referrals"])
    if results["map_page_bytes"] > MAP_PAGE_MAX_BYTES:
        failures.append(f"map page {results['map_page_bytes']} bytes > {MAP_PAGE_MAX_BYTES}")
    if isinstance(results["lighthouse"], dict):
        for name, scores in results["lighthouse"].items():
            if "error" in scores:
                failures.append(f"lighthouse {name}: {scores['error']}")
                continue
            low = {k: v for k, v in scores.items() if k != "failed_audits" and v < 100}
            if low:
                failures.append(f"lighthouse {name}: {low} (audits: {', '.join(scores['failed_audits'])})")
    results["failures"] = failures
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2))

    print(f"\n{'page':<18} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7}")
    for name, page in results["pages"].items():
        print(f"{name:<18} {page['requests_per_second']:8.0f} {page['ratio']:6.2f} {page['p50_ms']:7.1f} "
              f"{page['p99_ms']:7.1f}")  # fmt: skip
    signed_in = results.get("messaging", {}).get("pages", {}) | results.get("referrals", {}).get("pages", {})
    for name, figures in signed_in.items():
        print(f"{name:<18} server p50 {figures['server_ms_p50']} ms, wrk p50 {figures['wrk_p50_ms']:.1f} ms"
              f" (one request at a time; target <= {messaging_pages.TARGET_P50_MS:.0f} ms)")  # fmt: skip
    print(f"map page {results['map_page_bytes'] / 1024:.1f} KB, map data {results['map_data_bytes'] / 1024:.1f} KB")
    if isinstance(results["lighthouse"], dict):
        for name, scores in results["lighthouse"].items():
            shown = {k: v for k, v in scores.items() if k != "failed_audits"}
            print(f"lighthouse {name:<10} " + "  ".join(f"{k} {v}" for k, v in shown.items()))
    else:
        print(f"lighthouse: {results['lighthouse']}")
    print("\n" + ("all targets met" if not failures else "targets missed:\n  " + "\n  ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""The load benchmark of one database and data size: every public page against a hello-world Flask app.

    .venv/bin/python bench/run.py [--programmes 2000] [--modes redis,embedded] [--seconds 5] [--output PATH]

Seeds a fresh data set (2,000 programmes and 20,000 sessions by default), then, in one run on this machine:
- the uncached server time (p50) and SQL statements of each public page (page cache off, in-process);
- per cache mode (`redis`: REDIS_URL, default redis://127.0.0.1:6379/12, which no test empties; `embedded`: no
  Redis, the default of `make run`, with a fresh instance folder) the portal under gunicorn (-w 2, sync), each page
  loaded by wrk, and the ratio of its requests/s to a bare hello-world Flask app (bench/hello_app.py) under the same
  gunicorn, measured just before;
- the signed-in pages (my bookings, the broker dashboard, the inbox, the referral workspace) under wrk with a cookie;
- nginx (the deployment guide's proxy cache, docs/nginx/wijkportaal.conf) in front of the last mode: every public page
  through it, a static file as the ceiling, and the seconds until a listing edit made through the app shows;
- Lighthouse (mobile) on home, list, programme, map and a route map.
SQLite by default; set DATABASE_URL for PostgreSQL (an empty database). Writes the results as JSON (bench/results.json)
and exits 1 when a target is missed. bench/matrix.py runs this for both databases and both sizes."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402

from bench import messaging_pages, referral_pages, targets  # noqa: E402
from bench.lighthouse_runner import lighthouse_available, run_lighthouse  # noqa: E402
from bench.listing_edit import edit_title, max_age, seconds_until_seen  # noqa: E402
from bench.nginx_front import STATIC_FILE, site_template, write_config  # noqa: E402
from bench.servers import app_root, free_port, gunicorn, nginx  # noqa: E402
from bench.tile_stub import start_tile_stub  # noqa: E402
from bench.wrk_runner import run_wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "/nl/",
    "list": "/nl/programmes",
    "search": "/nl/programmes?q=wandelen",
    "filters": "/nl/programmes?category=bewegen&day=tue&time=morning&cost=free",
    "programme": "/nl/programmes/bench-0042",
    "map": "/nl/map",
    "map_data": "/api/v1/map/locations.geojson?lang=nl",
    "route_map": "/nl/routekaarten/meer-bewegen",
    "organisations": "/nl/organisations",
}
ACCOUNT_PAGES = {"my_bookings": ("resident", "/nl/bookings"), "broker_dashboard": ("broker", "/nl/broker/")}
LIGHTHOUSE_PAGES = ("home", "list", "programme", "map", "route_map")
MODES = ("redis", "embedded")
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"  # not 14 (test_page_cache), 13 (test_rate_limits), 10 (scale-out)


def _flask(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env, check=True)


def _json_of(env: dict, *command: str) -> dict:
    run = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(run.stdout)


def _fetch(url: str, cookie: str = "") -> tuple[int, bytes, dict]:
    headers = {"Accept-Encoding": "gzip"} | ({"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as response:  # noqa: S310
        body = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, body, dict(response.headers)


def _load(url: str, args, headers: tuple[str, ...] = (), label: str = "") -> dict:
    """wrk on `url` after a short warm-up: the steady state."""
    for _ in range(4):
        subprocess.run(["curl", "-s", "-o", "/dev/null", "-H", "Accept-Encoding: gzip",
                        *(p for h in headers for p in ("-H", h)), url], check=False)  # fmt: skip
    measured = run_wrk(url, args.seconds, args.connections, headers=headers).__dict__
    print(f"  {label:<18} {measured['requests_per_second']:8.0f} req/s  p50 {measured['p50_ms']:6.1f} ms"
          f"  p99 {measured['p99_ms']:6.1f} ms  non-2xx {measured['non_2xx']}", flush=True)  # fmt: skip
    return measured


def _with_ratio(measured: dict, baseline: float) -> dict:
    return measured | {"ratio": round(measured["requests_per_second"] / baseline, 3)}


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per page")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--programmes", type=int, default=2000)
    parser.add_argument("--modes", default=",".join(MODES), help="cache modes, of: redis, embedded")
    parser.add_argument("--uncached-requests", type=int, default=30)
    parser.add_argument("--no-nginx", action="store_true")
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--message-threads", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--no-messaging", action="store_true", help="Skip the signed-in inbox and thread pages.")
    parser.add_argument("--referrals", type=int, default=10_000)
    parser.add_argument("--no-referrals", action="store_true", help="Skip the signed-in referral pages.")
    parser.add_argument("--pages", default="", help="Comma-separated public pages to measure (default: all).")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    args.modes = [m for m in args.modes.split(",") if m]
    if not args.modes or set(args.modes) - set(MODES):
        parser.error(f"--modes takes {', '.join(MODES)}")
    args.pages = {n: PAGES[n] for n in args.pages.split(",") if n} if args.pages else dict(PAGES)
    return args


def _seed(env: dict, args, results: dict) -> dict:
    """Load the data sets and sign the bench users in; returns the logins."""
    timings = results["seconds"]
    started = time.perf_counter()
    _flask(env, "db", "upgrade")
    _flask(env, "seed-demo")  # the route maps name demo programmes; start-up checks them
    timings["migrate_and_demo"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    sessions, locations = args.programmes * 10, max(args.programmes // 4, 1)
    _flask(env, "seed-bench", "--programmes", str(args.programmes), "--sessions", str(sessions),
           "--locations", str(locations))  # fmt: skip
    timings["seed_bench"] = round(time.perf_counter() - started, 1)
    results["data"] = {"programmes": args.programmes, "sessions": sessions, "locations": locations}
    print(f"seed-bench ({args.programmes} programmes, {sessions} sessions) took {timings['seed_bench']} s", flush=True)
    served = env | {"PORTAL_ENV": "production"}  # the served app's settings: its cookie name and key
    logins = {"account": _json_of(served, str(ROOT / "bench" / "account_login.py"))}
    results["data"]["resident_bookings"] = logins["account"]["bookings"]
    if not args.no_messaging:
        logins["messaging"] = messaging_pages.seed_and_sign_in(env, args.message_threads, args.messages)
        timings["seed_messages"] = logins["messaging"]["seed_seconds"]
    if not args.no_referrals:
        logins["referrals"] = referral_pages.seed_and_sign_in(env, args.referrals)
        timings["seed_referrals"] = logins["referrals"]["seed_seconds"]
    return logins


def _uncached(env: dict, args) -> dict:
    """Server time p50 and SQL statements per page with the page cache off."""
    probe = env | {"PORTAL_ENV": "production", "REDIS_URL": "", "PORTAL_PAGE_CACHE": "off"}
    pages = _json_of(probe, str(ROOT / "bench" / "uncached_probe.py"), json.dumps(args.pages),
                     str(args.uncached_requests))  # fmt: skip
    for name, page in pages.items():
        print(f"  {name:<18} uncached p50 {page['p50_ms']:6.2f} ms  {page['statements']} SQL statements", flush=True)
    return pages


def _signed_in(base: str, logins: dict, args, baseline: float, log: Path, results: dict) -> dict:
    """The pages behind a login under wrk with each user's cookie (ratio), plus the messaging and referral figures."""
    pages = {}
    for name, (who, path) in ACCOUNT_PAGES.items():
        cookie = logins["account"]["cookies"][who]
        try:
            messaging_pages._check(base + path, cookie)
            measured = _load(base + path, args, (f"Cookie: {cookie}",), name)
        except (
            OSError,
            RuntimeError,
            subprocess.SubprocessError,
        ) as error:  # a page that fails is a result, not a crash
            results["errors"].append(f"{name}: {error}")
            continue
        pages[name] = {"path": path} | _with_ratio(measured, baseline)
    for key, module in (("messaging", messaging_pages), ("referrals", referral_pages)):
        if key in logins:
            try:
                loaded, results[key] = module.measure(base, logins[key], args.seconds, args.connections, log)
            except (OSError, RuntimeError, subprocess.SubprocessError) as error:
                results["errors"].append(f"{key} pages: {error}")
                continue
            pages |= {name: page | {"ratio": round(page["requests_per_second"] / baseline, 3)}
                      for name, page in loaded.items()}  # fmt: skip
    return pages


def _through_nginx(base: str, work: Path, args, baseline: float, logins: dict) -> dict:
    """nginx with the proxy cache in front of `base`: every page through it, a static file, a listing edit."""
    prefix, port, static_port = work / "nginx", free_port(), free_port()
    _status, home, _headers = _fetch(base + PAGES["home"])
    config = write_config(prefix, base.removeprefix("http://"), port, static_port, home)
    front, static = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{static_port}/{STATIC_FILE}"
    result = {"site_config": str(site_template().relative_to(ROOT)), "pages": {}}
    with nginx(config, prefix, static):
        for name, path in args.pages.items():
            _fetch(front + path)
            headers = _fetch(front + path)[2]
            measured = _load(front + path, args, label=f"nginx {name}")
            seen = {
                "cache_status": headers.get("X-Cache-Status", ""),
                "cache_control": headers.get("Cache-Control", ""),
            }
            result["pages"][name] = {"path": path, **seen} | _with_ratio(measured, baseline)
        result["static"] = _with_ratio(_load(static, args, label="nginx static"), baseline)
        result["edit"] = _edit_visible(base, front, logins)
    return result


def _edit_visible(base: str, front: str, logins: dict) -> dict:
    """Change a programme's title through the broker's form; seconds until the app and nginx show it."""
    path = PAGES["programme"]
    cache_control = _fetch(front + path)[2].get("Cache-Control", "")
    allowed = max_age(cache_control)
    title = f"Bench edit {secrets.token_hex(4)}"
    status = edit_title(base, logins["account"]["cookies"]["broker"], logins["account"]["programme_id"], title)
    limit = float(allowed if allowed is not None else 60) + 5
    app_seconds = seconds_until_seen(base + path, title, limit)
    nginx_seconds = seconds_until_seen(front + path, title, limit)
    print(f"  listing edit (POST {status}): shown by the app after {app_seconds} s, through nginx after "
          f"{nginx_seconds} s; Cache-Control {cache_control!r}", flush=True)  # fmt: skip
    return {"post_status": status, "cache_control": cache_control, "max_age": allowed, "app_seconds": app_seconds,
            "nginx_seconds": nginx_seconds}  # fmt: skip


def _instance_files(root: Path) -> int:
    instance = root / "instance"
    return sum(1 for path in instance.rglob("*") if path.is_file()) if instance.exists() else 0


def main() -> int:
    """Run the benchmark; exit 1 when a target is missed."""
    args = _parse_args()
    work = Path(tempfile.mkdtemp(prefix="wijkportaal-bench-"))
    tile_server, tile_url = start_tile_stub()
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {
        "PORTAL_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{work}/bench.db",
        "PORTAL_TILE_URL": tile_url,
        # Production refuses to seal messages without a key ring; the seed and the served app share this one.
        "PORTAL_MESSAGE_KEYS": os.environ.get("PORTAL_MESSAGE_KEYS") or Fernet.generate_key().decode(),
        "HOME": str(work),
    }
    database = env["DATABASE_URL"].split(":")[0].split("+")[0]
    results: dict = {"database": database, "workers": args.workers, "connections": args.connections,
                     "wrk_seconds": args.seconds, "seconds": {}, "errors": []}  # fmt: skip
    print(f"database: {env['DATABASE_URL'].split('@')[-1]}  modes: {', '.join(args.modes)}", flush=True)
    started_all = time.perf_counter()
    logins = _seed(env, args, results)
    started = time.perf_counter()
    results["uncached"] = _uncached(env, args)
    results["seconds"]["uncached"] = round(time.perf_counter() - started, 1)

    hello_port = free_port()
    hello = f"http://127.0.0.1:{hello_port}/"
    results["modes"], results["baseline"] = {}, {}
    with gunicorn(env, hello_port, args.workers, work / "hello.log", app="bench.hello_app:app", ready="/"):
        for number, mode in enumerate(args.modes):
            started = time.perf_counter()
            root = app_root(work, mode)
            served = env | {"PORTAL_ENV": "production"} | ({"REDIS_URL": redis_url} if mode == "redis" else {})
            if mode == "redis":
                subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], check=False, capture_output=True)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            log = work / f"server-{mode}.log"
            print(f"mode {mode}:", flush=True)
            with gunicorn(served, port, args.workers, log, cwd=root):
                baseline = _load(hello, args, label="hello-world")["requests_per_second"]
                results["baseline"][mode] = baseline
                pages = {name: {"path": path} | _with_ratio(_load(base + path, args, label=name), baseline)
                         for name, path in args.pages.items()}  # fmt: skip
                results["modes"][mode] = {"pages": pages, "cache": redis_url if mode == "redis" else "embedded"}
                if number == 0:
                    results["signed_in"] = _signed_in(base, logins, args, baseline, log, results)
                    results["map_page_bytes"] = len(_fetch(base + PAGES["map"])[1])
                results["modes"][mode]["instance_files"] = _instance_files(root)
                results["seconds"][f"mode_{mode}"] = round(time.perf_counter() - started, 1)
                if number == len(args.modes) - 1:
                    if not args.no_nginx:
                        started = time.perf_counter()
                        results["nginx"] = _through_nginx(base, work, args, baseline, logins) | {"upstream": mode}
                        results["seconds"]["nginx"] = round(time.perf_counter() - started, 1)
                    if not args.no_lighthouse and lighthouse_available():
                        started = time.perf_counter()
                        results["lighthouse"] = {n: run_lighthouse(base + PAGES[n]) for n in LIGHTHOUSE_PAGES}
                        results["seconds"]["lighthouse"] = round(time.perf_counter() - started, 1)
                    elif not args.no_lighthouse:
                        results["lighthouse"] = "not run (npm install --prefix bench; chromium)"
    tile_server.shutdown()
    results["seconds"]["total"] = round(time.perf_counter() - started_all, 1)
    results["failures"] = targets.failures(results)
    args.output.write_text(json.dumps(results, indent=2))
    print("\n" + targets.summary(results))
    shutil.rmtree(work, ignore_errors=True)
    return 1 if results["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())

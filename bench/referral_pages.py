"""The signed-in referral pages of the benchmark: a beweegmakelaars workspace (received, closed), a GP's sent
referrals and one referral, over 10,000 referrals."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.messaging_pages import LATENCY_CONNECTIONS, TARGET_P50_MS, _check, server_times
from bench.referral_login import PAGES as LOGIN_PAGES
from bench.wrk_runner import run_wrk

ROOT = Path(__file__).resolve().parent.parent
PAGES = {name: path for name, (_who, path) in LOGIN_PAGES.items()}
ENDPOINTS = {name: "professional.referral" if name == "referral" else "professional.referrals" for name in PAGES}


def seed_and_sign_in(env: dict, referrals: int) -> dict:
    """Load the referral data set, then log the broker and the GP in as the gunicorn app will see them."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "flask", "--app", "app", "seed-bench-referrals", "--referrals", str(referrals)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    seeded = round(time.perf_counter() - started, 1)
    print(f"seed-bench-referrals took {seeded} s", flush=True)
    login = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "referral_login.py")],
        cwd=ROOT,
        env=env | {"PORTAL_ENV": "production"},  # the served app's settings: its cookie name and key
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(login.stdout) | {"seed_seconds": seeded, "referrals": referrals}


def _percentile(values: list[float], share: int) -> float | None:
    if len(values) < 2:
        return values[0] if values else None
    return round(statistics.quantiles(values, n=100)[share - 1], 1)


def measure(base: str, login: dict, seconds: int, connections: int, log: Path) -> tuple[dict, dict]:
    """wrk on each page with its user's cookie: under load (for the ratio) and one at a time (the p50 target).

    The server time is the app's own duration_ms (request log) of the one-at-a-time requests."""
    pages, latency = {}, {}
    for name, (who, template) in LOGIN_PAGES.items():
        cookie = login["cookies"][who]
        path = template.format(referral_id=login["referral_id"])
        for _ in range(4):  # warm up, and the thread's receipts are all written after the first read
            _check(base + path, cookie)
        loaded = run_wrk(base + path, seconds, connections, headers=(f"Cookie: {cookie}",))
        offset = log.stat().st_size
        single = run_wrk(base + path, seconds, LATENCY_CONNECTIONS, threads=1, headers=(f"Cookie: {cookie}",))
        served = server_times(log, offset, ENDPOINTS[name])
        pages[name] = {"path": path, **loaded.__dict__}
        latency[name] = {
            "server_ms_p50": statistics.median(served) if served else None,
            "server_ms_p95": _percentile(served, 95),
            "server_requests": len(served),
            "statements": login["statements"][name],
            "wrk_p50_ms": single.p50_ms,
            "p99_ms": single.p99_ms,
            "requests_per_second": single.requests_per_second,
            "non_2xx": single.non_2xx,
        }
        print(f"  {name:<18} {loaded.requests_per_second:8.0f} req/s  p50 {loaded.p50_ms:6.1f} ms"
              f"  | 1 connection: server p50 {latency[name]['server_ms_p50']} ms,"
              f" p95 {latency[name]['server_ms_p95']} ms, {login['statements'][name]} SQL statements",
              flush=True)  # fmt: skip
    summary = {
        "server_time": f"duration_ms of the app's request log, wrk at {LATENCY_CONNECTIONS} connection",
        "target_p50_ms": TARGET_P50_MS,
        "data": {k: login[k] for k in ("referrals", "referral_id", "seed_seconds")},
        "pages": latency,
    }
    return pages, summary

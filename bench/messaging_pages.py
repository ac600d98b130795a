"""The signed-in pages of the benchmark: a professional's team inbox and one thread, over 10,000 threads."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.wrk_runner import run_wrk

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"inbox": "/nl/professional/inbox?box=unassigned", "thread": "/nl/professional/threads/{thread_id}"}
ENDPOINTS = {"inbox": "professional.inbox", "thread": "professional.thread"}
TARGET_P50_MS = 20.0
LATENCY_CONNECTIONS = 1  # one request at a time: wrk's p50 is then the server time plus a loopback round trip


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to the login page) is an answer to report, not to follow


def seed_and_sign_in(env: dict, threads: int, messages: int) -> dict:
    """Load the messaging data set, then log the bench professional in as the gunicorn app will see it."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "flask", "--app", "app", "seed-bench-messages"]
    subprocess.run([*command, "--threads", str(threads), "--messages", str(messages)], cwd=ROOT, env=env, check=True)
    seeded = round(time.perf_counter() - started, 1)
    print(f"seed-bench-messages took {seeded} s", flush=True)
    login = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "messaging_login.py")],
        cwd=ROOT,
        env=env | {"PORTAL_ENV": "production"},  # the served app's settings: its cookie name and key
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(login.stdout) | {"seed_seconds": seeded, "threads": threads, "messages": messages}


def _check(url: str, cookie: str) -> None:
    """Fail loudly unless the signed-in page answers 2xx (a redirect to /login means the cookie is not accepted)."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310  (our own local server)
    try:
        with opener.open(request, timeout=120) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise RuntimeError(
            f"{url}: {error.code} {error.headers.get('Location', '')} (signed-in page refused)"
        ) from None


def server_times(log: Path, offset: int, endpoint: str) -> list[float]:
    """The duration_ms of the app's request log lines for `endpoint` written after byte `offset`."""
    times = []
    with log.open("rb") as lines:
        lines.seek(offset)
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # gunicorn's own lines
            if record.get("endpoint") == endpoint and record.get("status") == 200:
                times.append(float(record["duration_ms"]))
    return times


def measure(base: str, login: dict, seconds: int, connections: int, log: Path) -> tuple[dict, dict]:
    """wrk on both pages with the session cookie: under load (for the ratio) and one at a time (the p50 target).

    The server time is the app's own duration_ms (request log) of the one-at-a-time requests."""
    headers = (f"Cookie: {login['cookie']}",)
    pages, latency = {}, {}
    for name, template in PAGES.items():
        path = template.format(thread_id=login["thread_id"])
        for _ in range(4):  # warm up, and the thread's receipts are all written after the first read
            _check(base + path, login["cookie"])
        loaded = run_wrk(base + path, seconds, connections, headers=headers)
        offset = log.stat().st_size
        single = run_wrk(base + path, seconds, LATENCY_CONNECTIONS, threads=1, headers=headers)
        served = server_times(log, offset, ENDPOINTS[name])
        pages[name] = {"path": path, **loaded.__dict__}
        latency[name] = {
            "server_ms_p50": statistics.median(served) if served else None,
            "server_requests": len(served),
            "wrk_p50_ms": single.p50_ms,
            "p99_ms": single.p99_ms,
            "requests_per_second": single.requests_per_second,
            "non_2xx": single.non_2xx,
        }
        print(f"  {name:<14} {loaded.requests_per_second:8.0f} req/s  p50 {loaded.p50_ms:6.1f} ms"
              f"  p99 {loaded.p99_ms:6.1f} ms  non-2xx {loaded.non_2xx}"
              f"  | 1 connection: p50 {single.p50_ms:6.1f} ms, server {latency[name]['server_ms_p50']} ms",
              flush=True)  # fmt: skip
    summary = {
        "server_time": f"median duration_ms of the app's request log, wrk at {LATENCY_CONNECTIONS} connection",
        "target_p50_ms": TARGET_P50_MS,
        "data": {k: login[k] for k in ("threads", "messages", "thread_id", "thread_messages", "seed_seconds")},
        "pages": latency,
    }
    return pages, summary


def failures(pages: dict, summary: dict) -> list[str]:
    """The missed messaging targets: server p50 above 20 ms (or not measured), or any answer that is not 2xx."""
    missed = []
    for name, figures in summary["pages"].items():
        if figures["server_ms_p50"] is None:
            missed.append(f"{name}: no request log lines, so no server time")
        elif figures["server_ms_p50"] > TARGET_P50_MS:
            missed.append(f"{name}: p50 {figures['server_ms_p50']} ms > {TARGET_P50_MS} ms")
        if figures["non_2xx"] or pages[name]["non_2xx"] or pages[name]["socket_errors"]:
            missed.append(f"{name}: {pages[name]['non_2xx'] + figures['non_2xx']} non-2xx, socket errors")
    return missed

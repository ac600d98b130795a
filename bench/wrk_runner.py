"""Run wrk against one URL and read requests/s and latency percentiles from its report."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass(frozen=True)
class LoadResult:
    """What wrk measured for one URL."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_report(report: str) -> LoadResult:
    """Read wrk's --latency report."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", report, re.M).group(1))
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", report, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", report).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    return LoadResult(
        rps,
        p50,
        p99,
        requests,
        int(non_2xx.group(1)) if non_2xx else 0,
        sum(int(n) for n in errors.groups()) if errors else 0,
    )


def run_wrk(url: str, seconds: int, connections: int, threads: int = 2, headers: tuple[str, ...] = ()) -> LoadResult:
    """Load `url` for `seconds` with `connections` open connections, as a browser would ask for it."""
    # Browsers always ask for compressed responses; so does the load.
    command = [
        "wrk",
        f"-t{min(threads, connections)}",  # wrk needs a connection per thread
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "30s",  # a slow page is measured as slow, not dropped as a socket timeout after wrk's default 2 s
        "-H",
        "Accept-Encoding: gzip",
        *(part for header in headers for part in ("-H", header)),
        url,
    ]
    report = subprocess.run(command, check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    return parse_report(report)

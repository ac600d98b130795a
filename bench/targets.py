"""Issue 17's targets, checked on one benchmark run's results; and the run's summary as printed at the end."""

from __future__ import annotations

from bench import report

CACHED_RATIO = 0.5  # every public page, cached, with Redis and without
SIGNED_IN_RATIO = 0.1
NGINX_RATIO = 5.0
UNCACHED_P50_MS = 5.0
MESSAGING_P50_MS = 20.0  # the signed-in pages' own server-time target (bench/messaging_pages.py)
P99_MS = 100.0
MAP_PAGE_MAX_BYTES = 150 * 1024


def _page_failures(where: str, pages: dict, minimum: float) -> list[str]:
    missed = []
    for name, page in pages.items():
        if page["ratio"] < minimum:
            missed.append(f"{where} {name}: {page['ratio']} x hello-world < {minimum}")
        if page["non_2xx"] or page["socket_errors"]:
            missed.append(f"{where} {name}: {page['non_2xx']} non-2xx, {page['socket_errors']} socket errors")
    return missed


def failures(results: dict) -> list[str]:
    """Every missed target, one line each."""
    missed = [f"not measured: {error}" for error in results.get("errors", [])]
    for name, page in results.get("uncached", {}).items():
        if page["status"] != 200:
            missed.append(f"uncached {name}: status {page['status']}")
        elif page["p50_ms"] > UNCACHED_P50_MS:
            missed.append(f"uncached {name}: p50 {page['p50_ms']} ms > {UNCACHED_P50_MS} ms")
    for mode, block in results.get("modes", {}).items():
        missed += _page_failures(f"cached ({mode})", block["pages"], CACHED_RATIO)
        missed += [f"cached ({mode}) {n}: p99 {p['p99_ms']} ms >= {P99_MS} ms"
                   for n, p in block["pages"].items() if p["p99_ms"] >= P99_MS]  # fmt: skip
    missed += _page_failures("signed in", results.get("signed_in", {}), SIGNED_IN_RATIO)
    for key in ("messaging", "referrals"):
        for name, figures in results.get(key, {}).get("pages", {}).items():
            if figures["server_ms_p50"] is None or figures["server_ms_p50"] > MESSAGING_P50_MS:
                missed.append(f"signed in {name}: server p50 {figures['server_ms_p50']} ms > {MESSAGING_P50_MS} ms")
    nginx = results.get("nginx")
    if nginx:
        missed += _page_failures("nginx", nginx["pages"], NGINX_RATIO)
        edit = nginx["edit"]
        if edit["post_status"] not in (302, 303):
            missed.append(f"listing edit: the broker's form answered {edit['post_status']}, not a redirect")
        if edit["max_age"] is None:
            missed.append(f"nginx: the programme page has no max-age ({edit['cache_control']!r})")
        elif edit["nginx_seconds"] is None or edit["nginx_seconds"] > edit["max_age"]:
            missed.append(f"nginx: a listing edit showed after {edit['nginx_seconds']} s > max-age {edit['max_age']}")
        if edit["app_seconds"] is None or edit["app_seconds"] > 1:
            missed.append(f"app: a listing edit showed after {edit['app_seconds']} s, not at the next request")
    if results.get("map_page_bytes", 0) > MAP_PAGE_MAX_BYTES:
        missed.append(f"map page {results['map_page_bytes']} bytes > {MAP_PAGE_MAX_BYTES}")
    lighthouse = results.get("lighthouse")
    if isinstance(lighthouse, dict):
        for name, scores in lighthouse.items():
            if "error" in scores:
                missed.append(f"lighthouse {name}: {scores['error']}")
                continue
            low = {k: v for k, v in scores.items() if k not in ("failed_audits", "failed_elements") and v < 100}
            if low:
                missed.append(f"lighthouse {name}: {low} (audits: {', '.join(scores['failed_audits'])})")
    elif isinstance(lighthouse, str):
        missed.append(f"lighthouse: {lighthouse}")
    return missed


def summary(results: dict) -> str:
    """The run's table, its signed-in pages, nginx, Lighthouse, timings and the missed targets."""
    lines = [report.title(results), report.run_table(results), "", report.signed_in_table(results)]
    nginx = results.get("nginx")
    if nginx:
        edit = nginx["edit"]
        lines += ["", f"nginx ({nginx['site_config']}, in front of {nginx['upstream']}): static file "
                  f"{nginx['static']['ratio']:.2f} x hello-world; listing edit shown after {edit['nginx_seconds']} s "
                  f"(max-age {edit['max_age']}), by the app after {edit['app_seconds']} s"]  # fmt: skip
    lighthouse = results.get("lighthouse")
    if isinstance(lighthouse, dict):
        for name, scores in lighthouse.items():
            shown = {k: v for k, v in scores.items() if k not in ("failed_audits", "failed_elements")}
            lines.append(f"lighthouse {name:<10} " + "  ".join(f"{k} {v}" for k, v in shown.items()))
            lines += [
                f"  {audit}: {'; '.join(map(str, found))}" for audit, found in scores.get("failed_elements", {}).items()
            ]
    lines.append("seconds: " + ", ".join(f"{k} {v}" for k, v in results.get("seconds", {}).items()))
    missed = results.get("failures", [])
    lines += ["", "all targets met" if not missed else "targets missed:\n  " + "\n  ".join(missed)]
    return "\n".join(lines)

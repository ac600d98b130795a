"""Run Lighthouse (npm, in bench/node_modules) in Debian's chromium and read the four category scores."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def lighthouse_available() -> bool:
    """True when the npm package and the system chromium are installed."""
    return (BENCH / "node_modules" / ".bin" / "lighthouse").exists() and Path("/usr/bin/chromium").exists()


def run_lighthouse(url: str, attempts: int = 2) -> dict:
    """Scores 0-100 per category for `url` (mobile settings); a run that fails is tried once more."""
    for _ in range(attempts):
        result = _run_once(url)
        if "error" not in result:
            break
    return result


def _run_once(url: str) -> dict:
    command = [
        str(BENCH / "node_modules" / ".bin" / "lighthouse"),
        url,
        "--quiet",
        "--output=json",
        "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-quic --disable-background-networking",
        f"--only-categories={','.join(CATEGORIES)}",
    ]
    env = os.environ | {"CHROME_PATH": "/usr/bin/chromium"}
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180, check=False)
    if run.returncode != 0:
        return {"error": run.stderr.strip().splitlines()[-1:] or ["lighthouse failed"]}
    report = json.loads(run.stdout)
    scores = {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}
    failed = sorted(
        audit_id
        for category in report["categories"].values()
        for ref in category["auditRefs"]
        if ref.get("weight")
        and (audit_id := ref["id"])
        and report["audits"][audit_id].get("score") is not None
        and report["audits"][audit_id]["score"] < 1
    )
    return scores | {
        "failed_audits": failed,
        "failed_elements": {a: failing_elements(report["audits"][a]) for a in failed},
    }


def failing_elements(audit: dict, limit: int = 5) -> list[str]:
    """What an audit found wrong: the selectors (or snippets, URLs) of its first `limit` items, or its display value."""
    found = []
    for item in (audit.get("details") or {}).get("items", [])[:limit]:
        node = item.get("node") if isinstance(item.get("node"), dict) else {}
        found.append(node.get("selector") or node.get("snippet") or item.get("url") or item.get("source") or str(item))
    return found or [audit.get("displayValue") or audit.get("title", "")]

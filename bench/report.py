"""The benchmark's tables: one per database and data size, laid out as in issue 17 (rows of figures, pages across)."""

from __future__ import annotations

ROWS = (
    ("uncached p50 ms", lambda run, page: run.get("uncached", {}).get(page, {}).get("p50_ms")),
    ("SQL statements", lambda run, page: run.get("uncached", {}).get(page, {}).get("statements")),
    ("ratio no Redis", lambda run, page: _ratio(run.get("modes", {}).get("embedded"), page)),
    ("ratio Redis", lambda run, page: _ratio(run.get("modes", {}).get("redis"), page)),
    ("ratio through nginx", lambda run, page: _ratio(run.get("nginx"), page)),
)


def _ratio(block: dict | None, page: str) -> float | None:
    return (block or {}).get("pages", {}).get(page, {}).get("ratio")


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def page_names(run: dict) -> list[str]:
    """The public pages of a run, in the order they were measured."""
    names: list[str] = []
    for block in (run.get("uncached", {}), *(m.get("pages", {}) for m in run.get("modes", {}).values())):
        names += [name for name in block if name not in names]
    return names


def markdown_table(rows: list[tuple[str, list]], columns: list[str]) -> str:
    """A Markdown table: a header of `columns` and one line per (label, cells)."""
    lines = ["| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    lines += [f"| {label} | " + " | ".join(_cell(v) for v in cells) + " |" for label, cells in rows]
    return "\n".join(lines)


def run_table(run: dict) -> str:
    """The issue's table for one run: uncached p50, SQL statements, and the three ratios, per public page."""
    pages = page_names(run)
    return markdown_table([(label, [get(run, page) for page in pages]) for label, get in ROWS], pages)


def signed_in_table(run: dict) -> str:
    """The pages behind a login: ratio to hello-world under the same load."""
    pages = run.get("signed_in", {})
    return markdown_table([("ratio signed in", [p.get("ratio") for p in pages.values()])], list(pages))


def title(run: dict) -> str:
    """'sqlite, 2000 programmes / 20000 sessions, baseline 3300 req/s'."""
    data = run.get("data", {})
    baselines = "/".join(f"{v:.0f}" for v in run.get("baseline", {}).values())
    return (f"{run.get('database')}, {data.get('programmes')} programmes / {data.get('sessions')} sessions, "
            f"hello-world {baselines} req/s")  # fmt: skip

"""Figures the security tests collect, printed at the end of the run (see conftest.pytest_terminal_summary)."""

from __future__ import annotations

REPORT: dict[str, str] = {}


def report(name: str, value: str) -> None:
    """Record one figure for the summary; a later run of the same test (other backend) overwrites it."""
    REPORT[name] = value

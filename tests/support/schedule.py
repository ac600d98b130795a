"""The pytest-xdist schedule of `make test`: each module in one unit per backend, longest units first.

pytest-xdist's --dist loadfile sends a whole module to one worker and, by default, starts the modules with
the most tests first. Two things made the run long: a module with few but slow tests (a browser journey) could
start last and run alone at the end, and a module ran its SQLite half and then its PostgreSQL half, so each
module switched the session's `database` fixture twice (a new schema, and a new live server with the demo for
the browser modules). Here a module's SQLite tests (with its tests that use no database) are one unit and its
PostgreSQL tests another; the SQLite units run first, then the PostgreSQL ones (a worker switches backend about
once), and within each, the longest unit first by the worker seconds in tests/data/test_unit_seconds.json.

A module whose tests share something outside the worker (a Redis database they empty, nginx) stays whole, so
its tests never run on two workers at once: see WHOLE_MODULES.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from xdist.scheduler import LoadFileScheduling

SECONDS_FILE = Path(__file__).resolve().parent.parent / "data" / "test_unit_seconds.json"
WHOLE_MODULES = frozenset(
    {
        "tests/test_page_cache.py",  # empties its Redis database (TEST_REDIS_URL, db 14 by default)
        "tests/test_rate_limits.py",  # empties Redis db 13
        "tests/test_scale_out.py",  # empties Redis db 10; nginx and two gunicorn servers
    }
)
BACKEND_ORDER = ("sqlite", "postgresql")
# A unit not in the file yet (a new module): a guess per test that errs on the slow side.
SECONDS_PER_UNKNOWN_TEST = 1.0
SECONDS_PER_UNKNOWN_BROWSER_TEST = 15.0
_BACKEND = re.compile(r"\[(sqlite|postgresql)[-\]]")  # the database fixture's parameter comes first in the id


def unit_of(nodeid: str) -> str:
    """The work unit of a test: `tests/x.py[sqlite]`, `tests/x.py[postgresql]`, or the module when it stays whole."""
    module, _, rest = nodeid.partition("::")
    if module in WHOLE_MODULES:
        return module
    match = _BACKEND.search(rest)
    return f"{module}[{match.group(1) if match else BACKEND_ORDER[0]}]"


def read_seconds(path: Path = SECONDS_FILE) -> dict[str, float]:
    """Worker seconds per unit of a recent full run; {} when the file is missing or unreadable."""
    try:
        return {str(unit): float(seconds) for unit, seconds in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def order_key(unit: str, tests: int, seconds: dict[str, float]) -> tuple[int, float, str]:
    """SQLite units (and whole modules) first, then PostgreSQL units; within each, the longest first."""
    phase = 1 if unit.endswith("[postgresql]") else 0
    per_test = SECONDS_PER_UNKNOWN_BROWSER_TEST if unit.startswith("tests/browser/") else SECONDS_PER_UNKNOWN_TEST
    return (phase, -seconds.get(unit, tests * per_test), unit)


class LongestFirstScheduling(LoadFileScheduling):
    """--dist loadfile with the units and the order above."""

    def __init__(self, config, log=None) -> None:
        super().__init__(config, log)
        self._seconds = read_seconds()
        self._ordered = False

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)

    def _assign_work_unit(self, node) -> None:
        if not self._ordered:  # the first assignment: the queue is complete, nothing sent yet
            units = sorted(self.workqueue.items(), key=lambda item: order_key(item[0], len(item[1]), self._seconds))
            self.workqueue.clear()
            self.workqueue.update(units)
            self._ordered = True
        super()._assign_work_unit(node)

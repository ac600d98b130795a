"""Worker seconds per test unit (module and backend) from a JUnit report, for tests/data/test_unit_seconds.json.

Usage: .venv/bin/python .ci/unit_seconds.py test-results/junit.xml > tests/data/test_unit_seconds.json
The schedule of `make test` (tests/support/schedule.py) starts the longest units first; refresh the file when
modules are added or change much.
"""

import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.schedule import unit_of  # noqa: E402


def module_of(classname: str) -> str:
    """tests.browser.test_x (or tests.test_x.TestClass) -> tests/browser/test_x.py."""
    parts = classname.split(".")
    while parts and not (ROOT / Path(*parts).with_suffix(".py")).is_file():
        parts.pop()
    return "/".join(parts) + ".py"


seconds: dict[str, float] = defaultdict(float)
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):  # noqa: S314  (our own pytest report)
    nodeid = f"{module_of(case.get('classname', ''))}::{case.get('name', '')}"
    seconds[unit_of(nodeid)] += float(case.get("time", 0))
json.dump({unit: round(value, 1) for unit, value in sorted(seconds.items())}, sys.stdout, indent=0)
sys.stdout.write("\n")

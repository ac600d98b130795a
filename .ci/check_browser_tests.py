"""Fail unless the JUnit report shows browser tests that ran, on every backend, none skipped."""

import sys
import xml.etree.ElementTree as ET

cases = ET.parse(sys.argv[1]).getroot().iter("testcase")  # noqa: S314  (our own pytest report)
browser = [case for case in cases if case.get("classname", "").startswith("tests.browser.")]
skipped = [case.get("name") for case in browser if case.find("skipped") is not None]
backends = {backend for backend in ("sqlite", "postgresql") if any(backend in case.get("name", "") for case in browser)}
print(f"browser tests: {len(browser)} ran, {len(skipped)} skipped, backends: {sorted(backends)}")
if not browser or skipped or backends != {"sqlite", "postgresql"}:
    sys.exit("browser tests missing or skipped")

"""The schedule of `make test` (tests/support/schedule.py): units per module and backend, longest first."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import schedule
from tests.support.schedule import order_key, read_seconds, unit_of

ROOT = Path(__file__).resolve().parent.parent


def test_a_module_splits_into_its_sqlite_and_postgresql_units():
    assert unit_of("tests/test_x.py::test_a[sqlite]") == "tests/test_x.py[sqlite]"
    assert unit_of("tests/test_x.py::test_a[sqlite-nl-query2]") == "tests/test_x.py[sqlite]"
    assert unit_of("tests/browser/test_y.py::test_b[postgresql-chromium]") == "tests/browser/test_y.py[postgresql]"


def test_a_test_without_a_database_goes_with_the_sqlite_unit():
    assert unit_of("tests/test_x.py::test_pure") == "tests/test_x.py[sqlite]"
    assert unit_of("tests/test_x.py::test_pure[postgresql_name]") == "tests/test_x.py[sqlite]"
    assert unit_of("tests/test_x.py::test_pure[nl-sqlite]") == "tests/test_x.py[sqlite]"


def test_modules_that_share_redis_or_nginx_stay_whole():
    for module in schedule.WHOLE_MODULES:
        assert (ROOT / module).is_file(), module
        assert unit_of(f"{module}::test_a[sqlite]") == unit_of(f"{module}::test_a[postgresql]") == module


def test_sqlite_units_come_first_then_postgresql_each_longest_first():
    seconds = {"a.py[sqlite]": 5, "b.py[sqlite]": 50, "a.py[postgresql]": 80, "b.py[postgresql]": 8, "w.py": 20}
    units = ["a.py[postgresql]", "a.py[sqlite]", "b.py[postgresql]", "w.py", "b.py[sqlite]"]
    assert sorted(units, key=lambda unit: order_key(unit, 1, seconds)) == [
        "b.py[sqlite]",
        "w.py",
        "a.py[sqlite]",
        "a.py[postgresql]",
        "b.py[postgresql]",
    ]


def test_a_unit_missing_from_the_file_is_guessed_from_its_tests():
    assert order_key("new.py[sqlite]", 30, {}) < order_key("new.py[sqlite]", 3, {})
    assert order_key("tests/browser/new.py[sqlite]", 3, {}) < order_key("tests/test_new.py[sqlite]", 30, {})


def test_the_seconds_file_reads_and_names_units_of_existing_modules():
    seconds = read_seconds()
    assert seconds, schedule.SECONDS_FILE
    for unit in seconds:
        assert (ROOT / unit.split("[", 1)[0]).is_file(), unit


def test_a_missing_or_broken_seconds_file_gives_no_seconds(tmp_path):
    assert read_seconds(tmp_path / "missing.json") == {}
    (tmp_path / "broken.json").write_text("[1, 2", encoding="utf-8")
    assert read_seconds(tmp_path / "broken.json") == {}
    (tmp_path / "list.json").write_text(json.dumps([1, 2]), encoding="utf-8")
    assert read_seconds(tmp_path / "list.json") == {}

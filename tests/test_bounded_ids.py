"""Every id in a URL is range-checked: a number beyond the database's integer range is a 404, never a 500."""

from __future__ import annotations

import re

import pytest

from portal.input_guard import MAX_ID

OUT_OF_RANGE = (0, MAX_ID + 1, 2**63, 2**64 + 7)
_INT_PART = re.compile(r"<int:(\w+)>")


def _id_rules(app):
    """Every URL rule with an id in its path, as (rule, methods)."""
    return [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]


def _path(rule, value: int) -> str:
    """The rule's path with every id set to `value`, any other part to its first option or 'nl'."""
    path = _INT_PART.sub(str(value), rule.rule)
    path = path.replace("<lang:lang>", "nl")
    path = re.sub(r"<any\(([^)]*)\):\w+>", lambda m: m.group(1).split(",")[0].strip().strip("'\""), path)
    return path


def test_every_id_route_is_bounded(app):
    assert len(_id_rules(app)) >= 15, "the id routes were not found"


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_ids_out_of_range_are_404_for_every_route(app, client, login, value):
    login("admin")
    failures = []
    for rule in _id_rules(app):
        path = _path(rule, value)
        assert "<" not in path, path
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = client.open(path, method=method).status_code
            if status != 404:
                failures.append(f"{method} {path}: {status}")
    assert failures == []


def test_largest_id_is_an_ordinary_not_found(client, login):
    login("resident")
    assert client.get(f"/en/bookings/{MAX_ID}").status_code == 404
    assert client.get("/en/bookings/2147483648").status_code == 404
    assert client.get("/en/bookings/9223372036854775808").status_code == 404

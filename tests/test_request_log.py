"""Request logs: one JSON line per request with a request id; no query strings or personal data."""

from __future__ import annotations

import json
import logging

import pytest

from portal.request_log import JsonLineFormatter


@pytest.fixture
def request_lines(caplog):
    """The JSON lines the request logger writes, parsed."""
    caplog.set_level(logging.INFO, logger="portal.request")

    def _lines():
        formatter = JsonLineFormatter()
        return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "portal.request"]

    return _lines


def test_each_request_logs_one_json_line_with_a_request_id(client, request_lines):
    response = client.get("/nl/programmes?q=mevrouw+jansen+diabetes&email=a@b.nl")
    (line,) = request_lines()
    assert len(line["request_id"]) == 32
    assert "X-Request-ID" not in response.headers  # a public page is shared by caches: nothing per request on it
    assert line["path"] == "/nl/programmes"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)
    text = json.dumps(line)
    assert "jansen" not in text and "a@b.nl" not in text and "diabetes" not in text


def test_a_page_that_is_not_public_returns_its_request_id(client, request_lines):
    response = client.get("/nl/login")
    (line,) = request_lines()
    assert line["request_id"] == response.headers["X-Request-ID"]


def test_a_safe_incoming_request_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"}).headers["X-Request-ID"] == "lb-1234abcd"
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script> & spaces"}).headers["X-Request-ID"]
    assert replaced != "<script> & spaces" and len(replaced) == 32


def test_posted_passwords_never_reach_the_log(client, request_lines):
    client.post("/nl/programmes", data={"password": "hunter2-secret", "email": "p@example.org"})
    text = json.dumps(request_lines())
    assert "hunter2" not in text and "p@example.org" not in text

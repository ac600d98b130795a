"""The benchmark's own parsing and tables: wrk reports, form scraping, Cache-Control, nginx templates, the issue's
table and the targets it checks (no server is started)."""

from __future__ import annotations

import pytest

from bench import report, targets
from bench.lighthouse_runner import failing_elements
from bench.listing_edit import FormFields, _cookie_after, max_age
from bench.matrix import growing_statements, matrix_text
from bench.nginx_front import fill
from bench.wrk_runner import parse_report

WRK = """Running 5s test @ http://127.0.0.1:8000/
  2 threads and 32 connections
  Latency Distribution
     50%    9.10ms
     75%   12.00ms
     90%   15.00ms
     99%    1.20s
  16500 requests in 5.00s, 2.1MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:   3300.25
"""


def test_a_wrk_report_is_read_with_its_units_and_errors():
    result = parse_report(WRK)
    assert result.requests_per_second == 3300.25 and result.requests == 16500
    assert result.p50_ms == 9.1 and result.p99_ms == 1200.0
    assert result.non_2xx == 7 and result.socket_errors == 3


FORM = """<form method="post" action="/nl/logout"><input name="csrf_token" value="x"></form>
<form class="wp-form" method="post" novalidate>
  <input type="hidden" name="csrf_token" value="tok">
  <input name="nl-title" value="Oud &amp; goed">
  <textarea name="nl-description">
Regel een</textarea>
  <select name="category"><option value="bewegen" selected>B</option><option value="koken">K</option></select>
  <input type="checkbox" name="audience" value="adults" checked><input type="checkbox" name="audience" value="kids">
  <input type="checkbox" name="referral_required">
  <input type="radio" name="cost" value="free" checked>
  <button type="submit" name="save">Opslaan</button>
</form>"""


def test_the_edit_form_is_read_as_a_browser_submits_it():
    parser = FormFields("/nl/broker/programmes/7/edit")
    parser.feed(FORM)
    assert parser.fields == [
        ("csrf_token", "tok"),
        ("nl-title", "Oud & goed"),
        ("nl-description", "Regel een"),
        ("category", "bewegen"),
        ("audience", "adults"),
        ("cost", "free"),
    ]


def test_a_form_posting_elsewhere_is_not_read():
    parser = FormFields("/nl/broker/programmes/7/edit")
    parser.feed('<form method="post" action="/nl/logout"><input name="a" value="b"></form>')
    assert parser.fields == []


def test_set_cookie_replaces_the_cookie_it_names():
    after = _cookie_after("session=old; other=1", ["session=new; HttpOnly; Path=/", "extra=2; Secure"])
    assert after == "session=new; other=1; extra=2"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("public, max-age=60, stale-while-revalidate=30", 90),
        ("public, s-maxage=30, max-age=60", 30),
        ("public, max-age=0, s-maxage=20, stale-while-revalidate=10", 30),
        ("private, no-store", None),
        ("", None),
        ("public, max-age=abc", None),
    ],
)
def test_max_age_prefers_the_shared_caches_own(header, seconds):
    assert max_age(header) == seconds


def test_the_nginx_template_is_filled_and_a_missing_value_is_an_error():
    assert fill("listen @LISTEN@; @UPSTREAM_SERVERS@", {"LISTEN": "1", "UPSTREAM_SERVERS": "server a:2;"}) == (
        "listen 1; server a:2;"
    )
    with pytest.raises(ValueError, match="CACHE_PATH"):
        fill("proxy_cache_path @CACHE_PATH@;", {"LISTEN": "1"})


def _page(ratio: float, p99: float = 10.0, non_2xx: int = 0) -> dict:
    return {"ratio": ratio, "p99_ms": p99, "non_2xx": non_2xx, "socket_errors": 0, "requests_per_second": 1.0}


def _run(programmes: int = 2000, statements: int = 4) -> dict:
    return {
        "database": "sqlite",
        "data": {"programmes": programmes, "sessions": programmes * 10},
        "baseline": {"redis": 3300.0, "embedded": 3100.0},
        "uncached": {
            "home": {"p50_ms": 3.5, "statements": statements, "status": 200},
            "map": {"p50_ms": 7.25, "statements": 2, "status": 200},
        },
        "modes": {
            "redis": {"pages": {"home": _page(0.6), "map": _page(0.55)}},
            "embedded": {"pages": {"home": _page(0.51), "map": _page(0.3, p99=150.0)}},
        },
        "signed_in": {"my_bookings": _page(0.2), "inbox": _page(0.05)},
        "nginx": {
            "pages": {"home": _page(6.0), "map": _page(5.5, non_2xx=3)},
            "static": _page(10.0),
            "site_config": "docs/nginx/wijkportaal.conf",
            "upstream": "embedded",
            "edit": {"post_status": 302, "max_age": 60, "nginx_seconds": 61.0, "app_seconds": 0.1, "cache_control": ""},
        },
    }


def test_the_table_has_the_issues_rows_and_a_column_per_page():
    table = report.run_table(_run()).splitlines()
    assert table[0] == "| | home | map |"
    assert table[2] == "| uncached p50 ms | 3.50 | 7.25 |"
    assert table[3] == "| SQL statements | 4 | 2 |"
    assert table[4] == "| ratio no Redis | 0.51 | 0.30 |"
    assert table[5] == "| ratio Redis | 0.60 | 0.55 |"
    assert table[6] == "| ratio through nginx | 6.00 | 5.50 |"


def test_a_page_not_measured_shows_a_dash():
    run = _run()
    del run["nginx"]
    assert report.run_table(run).splitlines()[6] == "| ratio through nginx | – | – |"


def test_every_missed_target_is_listed_and_met_ones_are_not():
    missed = targets.failures(_run())
    assert missed == [
        "uncached map: p50 7.25 ms > 5.0 ms",
        "cached (embedded) map: 0.3 x hello-world < 0.5",
        "cached (embedded) map: p99 150.0 ms >= 100.0 ms",
        "signed in inbox: 0.05 x hello-world < 0.1",
        "nginx map: 3 non-2xx, 0 socket errors",
        "nginx: a listing edit showed after 61.0 s > max-age 60",
    ]


def test_a_page_without_max_age_or_a_refused_edit_misses_the_nginx_target():
    run = _run()
    run["nginx"]["edit"] |= {"post_status": 200, "max_age": None, "cache_control": "no-store"}
    missed = targets.failures(run)
    assert "listing edit: the broker's form answered 200, not a redirect" in missed
    assert "nginx: the programme page has no max-age ('no-store')" in missed


def test_statements_that_grow_with_the_data_are_a_miss_per_database():
    runs = {"sqlite-2000": _run(2000, 4), "sqlite-20000": _run(20000, 5)}
    assert growing_statements(runs) == ["sqlite home: SQL statements grow with the data (2000: 4, 20000: 5)"]
    assert growing_statements({"a": _run(2000), "b": _run(20000)}) == []
    text = matrix_text(runs)
    assert text.count("| SQL statements |") == 2 and "sqlite, 20000 programmes / 200000 sessions" in text


def test_a_failed_lighthouse_audit_names_its_elements():
    audit = {
        "details": {"items": [{"node": {"selector": "a.wp-link", "snippet": "<a>"}}, {"url": "/static/x.js"}]},
        "displayValue": "2 found",
    }
    assert failing_elements(audit) == ["a.wp-link", "/static/x.js"]
    assert failing_elements({"displayValue": "3.1 s", "title": "Largest Contentful Paint"}) == ["3.1 s"]
    assert failing_elements({"title": "Document has a meta description"}) == ["Document has a meta description"]


def test_the_matrix_takes_in_single_runs_and_writes_one_results_file(tmp_path, monkeypatch, capsys):
    import json

    from bench import matrix

    small, large = tmp_path / "a.json", tmp_path / "b.json"
    small.write_text(json.dumps(_run(2000, 4) | {"failures": [], "seconds": {"total": 300.0}}))
    large.write_text(json.dumps(_run(20000, 4) | {"failures": ["uncached map: slow"], "seconds": {"total": 900.0}}))
    output = tmp_path / "results.json"
    argv = ["matrix.py", "--databases", "", "--add", str(small), "--add", str(large), "--output", str(output)]
    monkeypatch.setattr("sys.argv", argv)
    assert matrix.main() == 1
    results = json.loads(output.read_text())
    assert list(results["runs"]) == ["sqlite-2000", "sqlite-20000"]
    assert results["seconds"] == {"sqlite-2000": 300.0, "sqlite-20000": 900.0}
    assert results["failures"] == ["sqlite-20000: uncached map: slow"]
    assert "| ratio through nginx | 6.00 | 5.50 |" in capsys.readouterr().out


def test_the_deployment_guides_nginx_site_has_only_placeholders_the_bench_fills(tmp_path):
    from bench.nginx_front import write_config

    config = write_config(tmp_path, "127.0.0.1:9", 8080, 8081, b"<p>static</p>")
    site = config.read_text()
    assert "@" not in "".join(line.split("#")[0] for line in site.splitlines())
    assert "server 127.0.0.1:9;" in site and f"proxy_cache_path {tmp_path / 'cache'}" in site
    assert "listen 127.0.0.1:8081;" in site

"""The fixed query set (tests/data/search_queries.yaml) against the demo: every expected programme in the top
results, and the same top results on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from portal import create_app
from portal.extensions import db
from portal.labels import category_search_words
from portal.services.seed.demo import load_demo
from portal.services.social_map.filters import ProgrammeFilters
from portal.services.social_map.search import search_programmes
from tests.conftest import base_config
from tests.support.databases import POSTGRESQL, SQLITE, fresh_database
from tests.support.security_report import report

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "content" / "demo"
SET = yaml.safe_load((Path(__file__).parent / "data" / "search_queries.yaml").read_text(encoding="utf-8"))
TODAY = date(2026, 12, 1)
COMPARED = 5  # how many top results must be identical on both databases


def _run_set(app) -> dict[str, list[str]]:
    """The top COMPARED slugs of every query in the set, on the database of `app` (with the demo loaded)."""
    results = {}
    for item in SET["queries"]:
        with app.test_request_context():
            words = category_search_words(item["lang"])
            page = search_programmes(
                ProgrammeFilters(q=item["q"]), item["lang"], per_page=COMPARED, category_words=words
            )
        results[f"{item['lang']}:{item['q']}"] = [result.programme.slug for result in page.results]
    return results


def _misses(results: dict[str, list[str]]) -> list[str]:
    misses = []
    for item in SET["queries"]:
        top = results[f"{item['lang']}:{item['q']}"][: SET["top"]]
        misses += [f"{item['lang']} {item['q']!r}: {slug} not in {top}" for slug in item["expect"] if slug not in top]
    return misses


def test_the_set_has_at_least_30_queries_in_four_languages():
    assert len(SET["queries"]) >= 30
    assert {item["lang"] for item in SET["queries"]} == {"nl", "en", "tr", "ar"}
    assert all(item["expect"] for item in SET["queries"])


def test_every_query_finds_its_programmes_and_both_databases_agree(app, database, tmp_path):
    load_demo(DEMO, TODAY)
    db.session.commit()
    results = _run_set(app)
    misses = _misses(results)
    expected = sum(len(item["expect"]) for item in SET["queries"])
    report(f"search hit rate ({database['backend']})", f"{expected - len(misses)}/{expected} expected programmes found")
    assert misses == []
    if database["backend"] == POSTGRESQL:  # the SQLite run of the same set, on a fresh database of its own
        sqlite = create_app(base_config(tmp_path) | fresh_database(SQLITE, tmp_path, "queries"))
        with sqlite.app_context():
            db.create_all()
            load_demo(DEMO, TODAY)
            db.session.commit()
            on_sqlite = _run_set(sqlite)
            db.session.remove()
            db.engine.dispose()
        differing = {key: (top, on_sqlite[key]) for key, top in results.items() if on_sqlite[key] != top}
        report("search top results PostgreSQL = SQLite", f"{len(results) - len(differing)}/{len(results)} queries")
        assert differing == {}

"""One word in one locale, looked up once per text at its best place (FTS5 NOT on SQLite, one scored row per text on
PostgreSQL), ranks as the grouped look-ups."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.labels import category_search_words
from portal.services.seed.demo import load_demo
from portal.services.social_map import search, search_statements
from portal.services.social_map.filters import ProgrammeFilters
from portal.services.social_map.search import search_programmes
from tests.support.databases import POSTGRESQL, SQLITE
from tests.test_search_queries import DEMO, SET, TODAY

EXTRA = [("nl", "wandelen"), ("nl", "wandlen"), ("nl", "koffie"), ("nl", "xyzzyq"), ("nl", "sport"), ("en", "walk")]


def _pages(app) -> dict[str, tuple]:
    found = {}
    for lang, q in [(item["lang"], item["q"]) for item in SET["queries"]] + EXTRA:
        with app.test_request_context():
            page = search_programmes(ProgrammeFilters(q=q), lang, category_words=category_search_words(lang))
        found[f"{lang}:{q}"] = (page.total, [result.programme.slug for result in page.results])
    return found


def test_best_place_lookups_rank_as_the_grouped_ones(app, database, monkeypatch):
    if database["backend"] != SQLITE:
        pytest.skip("FTS5's NOT is SQLite's")
    load_demo(DEMO, TODAY)
    db.session.commit()
    search_statements._ranked_statements.cache_clear()
    best_place = _pages(app)
    _group_the_hits(monkeypatch)
    grouped = _pages(app)
    search_statements._ranked_statements.cache_clear()
    assert best_place == grouped
    assert any(total > 1 for total, _ in best_place.values())


def _group_the_hits(monkeypatch):
    """Every search takes the grouped look-ups (no FTS5 NOT, no tiers) from here on."""
    monkeypatch.setattr(search_statements, "one_place_per_text", lambda shapes, dialect: False)
    monkeypatch.setattr(search, "one_place_per_text", lambda shapes, dialect: False)
    search_statements._ranked_statements.cache_clear()


def _every_page(app, lang: str, q: str) -> list[tuple]:
    found = []
    for number in range(1, 12):  # past the last page too: it shows the last one
        with app.test_request_context():
            page = search_programmes(ProgrammeFilters(q=q), lang, page=number, per_page=2)
        found.append((page.page, page.pages, page.total, [result.programme.slug for result in page.results]))
    return found


def test_tiered_pages_are_the_grouped_pages(app, database, monkeypatch):
    if database["backend"] != SQLITE:
        pytest.skip("the tiers are SQLite's")
    load_demo(DEMO, TODAY)
    db.session.commit()
    queries = [("nl", "wandelen"), ("nl", "wandlen"), ("nl", "samen"), ("en", "walk"), ("nl", "groep")]
    tiered = {query: _every_page(app, *query) for query in queries}
    _group_the_hits(monkeypatch)
    grouped = {query: _every_page(app, *query) for query in queries}
    search_statements._ranked_statements.cache_clear()
    assert tiered == grouped
    assert any(pages[0][1] > 2 for pages in tiered.values())  # some query has several pages


def test_one_scored_row_per_text_ranks_as_the_grouped_ones(app, database, monkeypatch):
    if database["backend"] != POSTGRESQL:
        pytest.skip("the scored rows without grouping are PostgreSQL's")
    load_demo(DEMO, TODAY)
    db.session.commit()
    search_statements._ranked_statements.cache_clear()
    one_row = _pages(app)
    monkeypatch.setattr(search_statements, "one_row_per_programme", lambda shapes, dialect: False)
    search_statements._ranked_statements.cache_clear()
    grouped = _pages(app)
    search_statements._ranked_statements.cache_clear()
    assert one_row == grouped
    assert any(total > 1 for total, _ in one_row.values())

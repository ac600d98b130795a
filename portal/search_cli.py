"""`flask search reindex` and `flask search time`: rebuild the search index, and time searches on this database."""

from __future__ import annotations

import statistics
import time

import click
from flask.cli import AppGroup
from sqlalchemy import event

from portal.extensions import db
from portal.services.search_index.reindex import rebuild_index
from portal.services.social_map.listing_cache import bump_listings_version

search = AppGroup("search", help="The programme search index.")


@search.command("reindex")
def reindex() -> None:
    """Recompute every programme text's search terms and the word list, and recreate the index structures."""
    counts = rebuild_index(db.session.connection())
    db.session.commit()
    bump_listings_version()  # the rebuild bypasses the ORM, so cached result pages must be dropped here
    click.echo(f"Search index rebuilt: {counts['texts']} texts, {counts['words']} words.")


@search.command("time")
@click.option("--query", "queries", multiple=True, default=("wandelen", "wandlen", "zwemmen yoga", "xyzzy"))
@click.option("--lang", default="nl", type=click.Choice(["nl", "en", "tr", "ar"]))
@click.option("--runs", default=50, show_default=True)
def time_searches(queries: tuple[str, ...], lang: str, runs: int) -> None:
    """Median server time and SQL statements of the list page's search (the first page) per query."""
    from flask_babel import force_locale

    from portal.labels import category_search_words
    from portal.services.social_map.filters import ProgrammeFilters
    from portal.services.social_map.search import search_programmes

    with force_locale(lang):
        words = category_search_words(lang)
    sent: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda _c, _k, statement, *_: sent.append(statement))
    for query in queries:
        timings = []
        for _ in range(runs):
            sent.clear()
            started = time.perf_counter()
            page = search_programmes(ProgrammeFilters(q=query), lang, category_words=words)
            timings.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
        click.echo(
            f"{query!r:24} {lang}  {page.total:6d} found  median {statistics.median(timings):7.2f} ms  "
            f"{len(sent)} SQL statements"
        )

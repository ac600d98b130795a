"""Searching and filtering the social map: one query shape for the list, the map and the data feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, func, select

from portal.extensions import db
from portal.models import Programme, ProgrammeLanguage
from portal.models.base import utcnow
from portal.services.search_index.query import QueryWord, plan_query, term_matcher
from portal.services.social_map.filters import ProgrammeFilters
from portal.services.social_map.programmes import Card, cards
from portal.services.social_map.search_statements import (
    by_title_statements,
    filter_conditions,
    literal_terms,
    one_place_per_text,
    ranked,
    ranked_statements,
    word_parameters,
    word_shape,
)
from portal.services.social_map.search_tiers import tiered_statements
from portal.services.text_search import SNIPPET_WIDTH, Snippet, find_snippet
from portal.text_analysis import first_term_spans

PER_PAGE = 20
# find_snippet's window ends at most this far after the first match (its width, then up to the next space): the
# words after it are never marked, so they need no stemming.
SNIPPET_REACH = SNIPPET_WIDTH + 20


@dataclass(frozen=True)
class SearchResult:
    """One programme in a result list (its card, with its next start) and the text that matched."""

    programme: Card
    snippet: Snippet | None
    snippet_locale: str | None


@dataclass(frozen=True)
class SearchPage:
    """One page of search results."""

    results: list[SearchResult]
    page: int
    pages: int
    total: int
    per_page: int


def ranked_ids(
    filters: ProgrammeFilters,
    locale: str,
    now: datetime | None = None,
    category_words: dict[str, str] | None = None,
    plan: list[QueryWord] | None = None,
) -> Select:
    """Ids of matching programmes, best match first, then by title in `locale` (Dutch fallback), then id.

    Every search word must match a term of a programme's title or text (in `locale` or Dutch: the same
    stem, part of a compound, or the correction of a typo), or the name of its category as given by
    `category_words` (code -> folded names). The score is the sum over the words of their best points."""
    now = now or utcnow()
    words = plan if plan is not None else plan_query(filters.q, locale, category_words)
    dialect = _dialect()
    shapes = tuple(word_shape(word) for word in words)
    return ranked(filters, locale, shapes, dialect, now, literal_terms(words, dialect))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _run(statement, values=None):
    """Plain rows of a statement of columns, on the session's connection: no ORM step is needed."""
    return db.session.connection().execute(statement, values)


def listed_in(
    filters: ProgrammeFilters,
    locale: str,
    now: datetime,
    category_words: dict[str, str] | None = None,
    plan: list[QueryWord] | None = None,
):
    """A condition on Programme: it is listed and matches `filters` (the search text too)."""
    words = plan if plan is not None else plan_query(filters.q, locale, category_words)
    if words:
        found = ranked_ids(filters, locale, now, plan=words).order_by(None).subquery()
        return Programme.id.in_(select(found.c.id))
    return and_(*filter_conditions(filters, now), Programme.sort_title_nl.is_not(None))  # has a Dutch text


def _page_rows(page_statement, count_statement, values: dict, page: int, per_page: int) -> tuple[list, int]:
    """The rows (id, total) of page `page` and its number: one statement, the count coming with the page; past the
    last page, the count alone and then the last page."""
    page = max(page, 1)
    rows = _run(page_statement, values | {"offset": (page - 1) * per_page}).all()
    if not rows and page > 1:
        total = _run(count_statement, values).scalar() or 0
        page = max((total + per_page - 1) // per_page, 1)
        rows = _run(page_statement, values | {"offset": (page - 1) * per_page}).all()
    return rows, page


def _snippet(programme: Card, locale: str, matchers: dict) -> tuple[Snippet | None, str | None]:
    """The snippet of the first of the card's texts (in `locale`, then Dutch) with a match; `matchers` gives each
    locale's `term_matcher`."""
    for text in dict.fromkeys((programme.text(locale), programme.text("nl"))):
        plain = f"{text.summary} {text.description_text}"
        snippet = find_snippet(plain, first_term_spans(plain, text.locale, matchers[text.locale], SNIPPET_REACH))
        if snippet:
            return snippet, text.locale
    return None, None


def search_programmes(
    filters: ProgrammeFilters,
    locale: str,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
    category_words: dict[str, str] | None = None,
) -> SearchPage:
    """One page of published programmes matching `filters`, with next sessions and snippets."""
    now = now or utcnow()
    words = plan_query(filters.q, locale, category_words)
    if words:  # ranked: the scoring runs once, for the page and its count
        dialect = _dialect()
        tiered = one_place_per_text(tuple(word_shape(word) for word in words), dialect)
        statements = tiered_statements if tiered else ranked_statements
        page_statement, count_statement = statements(filters, locale, words, dialect)
        values = word_parameters(words, dialect) | {"now": now, "limit": per_page}
    else:  # by title: an index walk for the page
        page_statement, count_statement = by_title_statements(filters, locale)
        values = {"now": now, "limit": per_page}
    rows, page = _page_rows(page_statement, count_statement, values, page, per_page)
    total = rows[0].total if rows else 0
    pages = max((total + per_page - 1) // per_page, 1)
    ids = [row.id for row in rows]
    programmes = cards(ids, locale, now, descriptions=bool(words))
    results = []
    matchers = {text_locale: term_matcher(words, text_locale) for text_locale in dict.fromkeys((locale, "nl"))}
    for programme_id in ids:
        programme = programmes[programme_id]
        snippet, snippet_locale = _snippet(programme, locale, matchers) if words else (None, None)
        results.append(SearchResult(programme, snippet, snippet_locale))
    return SearchPage(results, page, pages, total, per_page)


@cache
def _spoken_statement():
    """One step through the language index per distinct language (a recursive query), never a scan of every row:
    built once per process, since building it cost more than running it."""
    spoken = ProgrammeLanguage
    codes = select(func.min(spoken.language).label("code")).cte("codes", recursive=True)
    following = select(func.min(spoken.language)).where(spoken.language > codes.c.code).scalar_subquery()
    codes = codes.union_all(select(following).where(codes.c.code.is_not(None)))
    # A subquery with LIMIT, which neither planner turns into a join over every row: per language, its rows are
    # walked until the first published programme.
    first_published = (
        select(spoken.programme_id)
        .join(Programme, Programme.id == spoken.programme_id)
        .where(spoken.language == codes.c.code, Programme.status == "published")
        .limit(1)
        .scalar_subquery()
    )
    return select(codes.c.code).where(codes.c.code.is_not(None), first_published.is_not(None))


def spoken_languages() -> list[str]:
    """The languages spoken at published programmes, Dutch first, then alphabetically."""
    found = _run(_spoken_statement()).scalars()
    return sorted(set(found), key=lambda code: (code != "nl", code))

"""Searching and filtering the social map: one query shape for the list, the map and the data feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, exists, func, literal, or_, select, union_all

from portal.extensions import db
from portal.models import Location, Programme, ProgrammeAudience, ProgrammeLanguage, Session, sort_title
from portal.models.base import utcnow
from portal.services.markdown import markdown_to_text
from portal.services.search_index.matching import programmes_with
from portal.services.search_index.query import QueryWord, plan_query, term_matcher
from portal.services.social_map.filters import DAYS, PARTS_OF_DAY, ProgrammeFilters
from portal.services.social_map.programmes import Card, cards
from portal.services.text_search import Snippet, find_snippet
from portal.text_analysis import term_spans

PER_PAGE = 20


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


def _session_condition(filters: ProgrammeFilters, now: datetime):
    conditions = [Session.programme_id == Programme.id, Session.status == "scheduled", Session.starts_at > now]
    if filters.day:
        conditions.append(Session.local_weekday.in_([DAYS.index(d) for d in filters.day]))
    if filters.time:
        conditions.append(
            or_(*(Session.local_minute.between(*_minute_range(part)) for part in filters.time)),
        )
    return exists().where(*conditions)


def _minute_range(part: str) -> tuple[int, int]:
    start, end = PARTS_OF_DAY[part]
    return start, end - 1


def filter_conditions(filters: ProgrammeFilters, now: datetime) -> list:
    """SQL conditions on Programme for every filter except the search text."""
    conditions = [Programme.status == "published"]
    if filters.category:
        conditions.append(Programme.category.in_(filters.category))
    if filters.audience:
        conditions.append(
            exists().where(
                ProgrammeAudience.programme_id == Programme.id, ProgrammeAudience.audience.in_(filters.audience)
            )
        )
    if filters.language:
        conditions.append(
            exists().where(
                ProgrammeLanguage.programme_id == Programme.id, ProgrammeLanguage.language.in_(filters.language)
            )
        )
    if filters.cost == "free":
        conditions.append(Programme.cost_cents == 0)
    elif filters.cost == "paid":
        conditions.append(Programme.cost_cents > 0)
    if filters.referral == "needed":
        conditions.append(Programme.referral_required.is_(True))
    elif filters.referral == "none":
        conditions.append(Programme.referral_required.is_(False))
    if filters.wheelchair == "yes":
        conditions.append(
            exists().where(Location.id == Programme.location_id, Location.wheelchair_accessible.is_(True))
        )
    if filters.day or filters.time:
        conditions.append(_session_condition(filters, now))
    return conditions


# Points for one search word: title over text, an exact term over part of a compound over a corrected typo.
TITLE_POINTS = {"exact": 30, "partial": 21, "typo": 15}
BODY_POINTS = {"exact": 10, "partial": 7, "typo": 5}
CATEGORY_POINTS = 10


def _scores(words: list[QueryWord]):
    """Programmes matching every word, with their score: per word its best points, summed over the words.

    Starts from the index hits of each place a word matches (title or text; exact, partial or typo; category)."""
    parts = []
    for number, word in enumerate(words):
        for field, points in (("title", TITLE_POINTS), ("body", BODY_POINTS)):
            for kind, value in points.items():
                parts += programmes_with(
                    field, getattr(word, kind), literal(number).label("word"), literal(value).label("points")
                )
        if word.categories:
            parts.append(
                select(Programme.id.label("programme_id"), literal(number), literal(CATEGORY_POINTS)).where(
                    Programme.category.in_(word.categories)
                )
            )
    hits = union_all(*parts).subquery()
    if len(words) == 1:  # one word: its best points are the score, in one grouping
        return (
            select(hits.c.programme_id, func.max(hits.c.points).label("score")).group_by(hits.c.programme_id).subquery()
        )
    best = (
        select(hits.c.programme_id, hits.c.word, func.max(hits.c.points).label("points"))
        .group_by(hits.c.programme_id, hits.c.word)
        .subquery()
    )
    return (
        select(best.c.programme_id, func.sum(best.c.points).label("score"))
        .group_by(best.c.programme_id)
        .having(func.count() == len(words))
        .subquery()
    )


def _sort_title(column):
    """Titles sort by code point on both databases, so both give the same order."""
    return column.collate("C") if db.session.get_bind().dialect.name == "postgresql" else column


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
    title = sort_title(locale)  # the folded title in `locale`, the Dutch one where untranslated, NULL without Dutch
    title_order = _sort_title(title)
    query = select(Programme.id).where(*filter_conditions(filters, now), title.is_not(None))
    if not words:
        return query.order_by(title_order, Programme.id)
    scores = _scores(words)
    query = query.join(scores, scores.c.programme_id == Programme.id)
    return query.order_by(scores.c.score.desc(), title_order, Programme.id)


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
        ranked = ranked_ids(filters, locale, now, plan=words).order_by(None).subquery()
        return Programme.id.in_(select(ranked.c.id))
    return and_(*filter_conditions(filters, now), Programme.sort_title_nl.is_not(None))  # has a Dutch text


def _listed_by_title(filters: ProgrammeFilters, locale: str, now: datetime) -> Select:
    """Ids of the listed programmes by title in `locale`: the order of an index, so a page costs the same
    with 200 or 20,000 programmes."""
    return (
        select(Programme.id).where(listed_in(filters, locale, now, plan=[])).order_by(sort_title(locale), Programme.id)
    )


def _snippet(programme: Card, locale: str, words: list[QueryWord]) -> tuple[Snippet | None, str | None]:
    for text in dict.fromkeys((programme.text(locale), programme.text("nl"))):
        plain = f"{text.summary} {markdown_to_text(text.description)}"
        matches = term_matcher(words, text.locale)
        snippet = find_snippet(
            plain, [(start, end) for start, end, term in term_spans(plain, text.locale) if matches(term)]
        )
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
    if words:  # ranked: the count comes with the page, so the scoring runs once
        ids_query = ranked_ids(filters, locale, now, plan=words).add_columns(func.count().over().label("total"))
        page = max(page, 1)
        rows = db.session.execute(ids_query.limit(per_page).offset((page - 1) * per_page)).all()
        if not rows and page > 1:  # past the last page: count, and show the last one
            total = db.session.scalar(select(func.count()).select_from(ids_query.subquery())) or 0
            page = max((total + per_page - 1) // per_page, 1)
            rows = db.session.execute(ids_query.limit(per_page).offset((page - 1) * per_page)).all()
        total = rows[0].total if rows else 0
        pages = max((total + per_page - 1) // per_page, 1)
        ids = [row.id for row in rows]
    else:  # by title: an index walk for the page and a count without joins
        ids_query = _listed_by_title(filters, locale, now)
        total = db.session.scalar(select(func.count()).select_from(ids_query.order_by(None).subquery())) or 0
        pages = max((total + per_page - 1) // per_page, 1)
        page = min(max(page, 1), pages)
        ids = list(db.session.scalars(ids_query.limit(per_page).offset((page - 1) * per_page)))
    programmes = cards(ids, locale, now, descriptions=bool(words))
    results = []
    for programme_id in ids:
        programme = programmes[programme_id]
        snippet, snippet_locale = _snippet(programme, locale, words) if words else (None, None)
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
    found = db.session.scalars(_spoken_statement())
    return sorted(set(found), key=lambda code: (code != "nl", code))

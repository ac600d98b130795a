"""The social map's search and list statements, built once per shape with the request's values bound.

Building and compiling the filter conditions and the UNION ALL of index look-ups cost more than running them, so a
page's statements are built once per shape (the filters chosen; per search word, in which places it has terms and
its category codes; the locale's title column) and kept per process. A kept statement holds only values from code
(filter choices, category codes, locale numbers, points): the search terms, `now`, the page's limit and offset are
bound on every run."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from sqlalchemy import Integer, Select, String, and_, bindparam, exists, func, literal, or_, select, union_all

from portal.models import Location, Programme, ProgrammeAudience, ProgrammeLanguage, Session, sort_title
from portal.models.programme_order import code_point_order
from portal.services.search_index.matching import (
    FIELDS,
    match_value,
    matching_selects,
    scored_selects,
    without_earlier,
)
from portal.services.search_index.query import QueryWord
from portal.services.social_map.filters import DAYS, PARTS_OF_DAY, ProgrammeFilters

# Points for one search word: title over text, an exact term over part of a compound over a corrected typo.
TITLE_POINTS = {"exact": 30, "partial": 21, "typo": 15}
BODY_POINTS = {"exact": 10, "partial": 7, "typo": 5}
CATEGORY_POINTS = 10
KINDS = tuple(TITLE_POINTS)
STATEMENTS_KEPT = 512  # shapes kept per process: each a few kilobytes; the filters' choices are finite anyway

# Per word: (kind, locales with terms of that kind) for each kind, and the category codes its stems name.
WordShape = tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...]]


def _session_condition(filters: ProgrammeFilters, now):
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


def filter_conditions(filters: ProgrammeFilters, now) -> list:
    """SQL conditions on Programme for every filter except the search text (`now`: a time or a bound parameter)."""
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


def word_shape(word: QueryWord) -> WordShape:
    """What a statement needs to know of a word: in which locales it has terms of each kind, its category codes."""
    places = tuple((kind, tuple(locale for locale, items in getattr(word, kind).items() if items)) for kind in KINDS)
    return places, word.categories


def _name(number: int, field: str, kind: str, locale: str) -> str:
    return f"w{number}_{field}_{kind}_{locale}"


def _one_place(shapes: tuple[WordShape, ...]) -> bool:
    """One word, looked up in one locale, without category names."""
    if len(shapes) != 1:
        return False
    places, categories = shapes[0]
    return not categories and len({locale for _, locales in places for locale in locales}) == 1


def one_place_per_text(shapes: tuple[WordShape, ...], dialect: str) -> bool:
    """True when each programme's hits can come once, at its best place, with no grouping: on SQLite (FTS5 has NOT)
    for one word, looked up in one locale, without category names."""
    return dialect == "sqlite" and _one_place(shapes)


def one_row_per_programme(shapes: tuple[WordShape, ...], dialect: str) -> bool:
    """True when the hits hold each programme once, at its best place, so they need no grouping: SQLite's look-ups
    by `one_place_per_text`, or PostgreSQL's one scored row per text (`scored_selects`) in one locale."""
    return one_place_per_text(shapes, dialect) or (dialect == "postgresql" and _one_place(shapes))


def word_parameters(words: list[QueryWord], dialect: str) -> dict[str, str]:
    """The bound values of the words' index look-ups, by the names the statements of `word_shape` use."""
    values = {
        _name(number, field, kind, locale): match_value(field, items, dialect)
        for number, word in enumerate(words)
        for field in FIELDS
        for kind in KINDS
        for locale, items in getattr(word, kind).items()
        if items
    }
    if one_place_per_text(tuple(word_shape(word) for word in words), dialect):  # in order of points, as _scores
        values = dict(zip(values, without_earlier(list(values.values())), strict=True))
        any_place = words[0].any_terms().items()  # every place at once, for the count of the tiered page
        values |= {any_place_name(0, locale): match_value(None, items, dialect) for locale, items in any_place if items}
    return values


def any_place_name(number: int, locale: str) -> str:
    """The name of the bound look-up of word `number` in any place (title or text, any kind) of `locale`."""
    return f"w{number}_any_{locale}"


def _places_by_locale(number: int, places, bind) -> dict[str, list[tuple[str, object, int]]]:
    """Per locale, the (field, terms expression, points) of a word's places, best points first."""
    found: dict[str, list[tuple[str, object, int]]] = {}
    for field, points in (("title", TITLE_POINTS), ("body", BODY_POINTS)):
        for kind, locales in places:
            for locale in locales:
                found.setdefault(locale, []).append((field, bind(number, field, kind, locale), points[kind]))
    return {locale: sorted(items, key=lambda item: -item[2]) for locale, items in found.items()}


def _scores(shapes: tuple[WordShape, ...], dialect: str, bind):
    """Programmes matching every word, with their score: per word its best points, summed over the words.

    Starts from the index hits of each place a word matches (title or text; exact, partial or typo; category);
    `bind(number, field, kind, locale)` gives the expression of a look-up's terms."""
    parts = []
    for number, (places, categories) in enumerate(shapes):
        if dialect == "postgresql":  # one pass per locale, its best place scored in the row
            parts += scored_selects(_places_by_locale(number, places, bind), literal(number).label("word"))
        else:
            for field, points in (("title", TITLE_POINTS), ("body", BODY_POINTS)):
                for kind, locales in places:
                    matches = {locale: bind(number, field, kind, locale) for locale in locales}
                    word, score = literal(number).label("word"), literal(points[kind]).label("points")
                    parts += matching_selects(field, matches, dialect, word, score)
        if categories:
            parts.append(
                select(Programme.id.label("programme_id"), literal(number), literal(CATEGORY_POINTS)).where(
                    Programme.category.in_(categories)
                )
            )
    hits = union_all(*parts).subquery()
    if one_row_per_programme(shapes, dialect):  # each programme once, at its best place: its points are the score
        return select(hits.c.programme_id, hits.c.points.label("score")).subquery()
    if len(shapes) == 1:  # one word: its best points are the score, in one grouping
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
        .having(func.count() == len(shapes))
        .subquery()
    )


def ranked(
    filters: ProgrammeFilters, locale: str, shapes: tuple[WordShape, ...], dialect: str, now, bind=None
) -> Select:
    """Ids of programmes matching `filters` and every word, best match first, then by title in `locale` (Dutch
    fallback), then id; without words by title. `now` and `bind` (see `_scores`) give the values."""
    title = sort_title(locale)  # the folded title in `locale`, the Dutch one where untranslated, NULL without Dutch
    query = select(Programme.id).where(*filter_conditions(filters, now), title.is_not(None))
    if not shapes:
        return query.order_by(code_point_order(title, dialect), Programme.id)
    scores = _scores(shapes, dialect, bind)
    query = query.join(scores, scores.c.programme_id == Programme.id)
    return query.order_by(scores.c.score.desc(), code_point_order(title, dialect), Programme.id)


def literal_terms(words: list[QueryWord], dialect: str):
    """A `bind` for `ranked` that writes the words' terms into the statement (for a statement built per request)."""
    values = word_parameters(words, dialect)
    return lambda number, field, kind, locale: literal(values[_name(number, field, kind, locale)], String)


def bound_terms(number: int, field: str, kind: str, locale: str):
    """The bound parameter of one look-up's terms, by the name `word_parameters` gives its value."""
    return bindparam(_name(number, field, kind, locale), type_=String)


def _page_of(query: Select) -> Select:
    return query.limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))


@lru_cache(maxsize=STATEMENTS_KEPT)
def _ranked_statements(
    filters: ProgrammeFilters, locale: str, shapes: tuple[WordShape, ...], dialect: str
) -> tuple[Select, Select]:
    now = bindparam("now")
    title = sort_title(locale)
    scores = _scores(shapes, dialect, bound_terms)
    # The matches once, in a CTE read twice: for the count, and sorted for the page (its first rows only). A count
    # as a window over the sorted matches buffered every row again: 9 of 33 M instructions at 2,000 matches.
    matched = (
        select(Programme.id, scores.c.score, title.label("title"))
        .join(scores, scores.c.programme_id == Programme.id)
        .where(*filter_conditions(filters, now), title.is_not(None))
        .cte("matched")
    )
    total = select(func.count()).select_from(matched).scalar_subquery().label("total")
    order = (matched.c.score.desc(), code_point_order(matched.c.title, dialect), matched.c.id)
    return _page_of(select(matched.c.id, total).order_by(*order)), select(func.count()).select_from(matched)


def ranked_statements(filters: ProgrammeFilters, locale: str, words: list[QueryWord], dialect: str):
    """A page of the ranked ids with the count of them all (`limit`, `offset`, `now` and `word_parameters` bound),
    and the count alone (for a page past the last)."""
    shapes = tuple(word_shape(word) for word in words)
    return _ranked_statements(replace(filters, q=""), locale, shapes, dialect)


@lru_cache(maxsize=STATEMENTS_KEPT)
def _by_title_statements(filters: ProgrammeFilters, locale: str) -> tuple[Select, Select]:
    conditions = and_(*filter_conditions(filters, bindparam("now")), Programme.sort_title_nl.is_not(None))
    count = select(func.count()).select_from(select(Programme.id).where(conditions).subquery())
    # The count as a scalar subquery of the page's statement: run once per statement (an InitPlan on PostgreSQL, a
    # ONCE block on SQLite), so the page and its count cost one round trip, and the page stays an index walk.
    ids = select(Programme.id, count.scalar_subquery().label("total")).where(conditions)
    return _page_of(ids.order_by(sort_title(locale), Programme.id)), count


def by_title_statements(filters: ProgrammeFilters, locale: str) -> tuple[Select, Select]:
    """A page of the listed programmes' ids by title in `locale`, each row with the count of them all (`limit`,
    `offset` and `now` bound), and the count alone (for a page past the last): the order of an index, so a page
    costs the same with 200 or 20,000 programmes."""
    return _by_title_statements(replace(filters, q=""), locale)

"""Which programmes have a text containing some terms: FTS5 on SQLite, tsvector with GIN on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Integer, String, and_, case, cast, column, or_, select, table
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from portal.models.search import LOCALE_NUMBERS, LOCALE_SLOTS

FIELDS = ("title", "body")
_FTS = table("programme_text_index", column("rowid", Integer), column("programme_text_index"))
_TEXTS = table(
    "programme_texts",
    column("programme_id", Integer),
    column("locale", String),
    column("title_vector", TSVECTOR),
    column("body_vector", TSVECTOR),
)

# (term, as_prefix) per locale: 'wandel' matches only the term wandel, ('wandel', True) also wandelgroep.
Terms = dict[str, list[tuple[str, bool]]]


def _fts_query(field: str | None, items: list[tuple[str, bool]]) -> str:
    words = " OR ".join('"' + term.replace('"', '""') + '"' + (" *" if prefix else "") for term, prefix in items)
    return f"{field or '{title body}'} : ({words})"


def _tsquery(items: list[tuple[str, bool]]) -> str:
    return " | ".join(
        "'" + term.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if prefix else "") for term, prefix in items
    )


def match_value(field: str | None, items: list[tuple[str, bool]], dialect: str) -> str:
    """The value bound for one locale's `items` in a SELECT of `matching_selects`: an FTS5 query on SQLite, a
    tsquery text on PostgreSQL."""
    return _fts_query(field, items) if dialect == "sqlite" else _tsquery(items)


def without_earlier(queries: list[str]) -> list[str]:
    """FTS5 queries, each made to skip the texts that match any query before it: the look-ups of places in order of
    points then give each text once, at its best place."""
    return [
        f"({query})" + "".join(f" NOT ({earlier})" for earlier in queries[:number])
        for number, query in enumerate(queries)
    ]


def matching_selects(field: str | None, matches: dict, dialect: str, *columns) -> list:
    """SELECTs (to UNION ALL) of ids of programmes with a text in one of the locales of `matches` containing one of
    its terms, in `field` ('title', 'body', or None for either), and `columns`. `matches` gives per locale the
    expression of its terms' `match_value` (a bound parameter: a statement built from it can be kept and run again
    with other terms). A programme with several matching texts comes once per text.

    On SQLite one SELECT per locale, which tells the language by the rowid: matching the locale column
    too would walk the index entries of every text in that language."""
    if not matches:
        return []
    if dialect == "sqlite":
        return [
            select(_FTS.c.rowid.op("/")(LOCALE_SLOTS).label("programme_id"), *columns).where(
                _FTS.c.programme_text_index.match(match),
                _FTS.c.rowid.op("%")(LOCALE_SLOTS) == LOCALE_NUMBERS[locale],
            )
            for locale, match in matches.items()
        ]
    vectors = [_TEXTS.c[f"{column_name}_vector"] for column_name in ((field,) if field else FIELDS)]
    conditions = []
    for locale, match in matches.items():
        query = cast(match, TSQUERY)
        conditions.append(and_(_TEXTS.c.locale == locale, or_(*(vector.op("@@")(query) for vector in vectors))))
    return [select(_TEXTS.c.programme_id.label("programme_id"), *columns).where(or_(*conditions))]


def scored_selects(places: dict[str, list[tuple[str, object, int]]], *columns) -> list:
    """PostgreSQL: per locale of `places`, one SELECT (to UNION ALL) of the ids of programmes whose text in that
    locale matches any of its places, with `columns` and the points of the best place matched (as `points`).
    `places` gives per locale its (field, `match_value` expression, points), best first.

    One pass over a locale's texts instead of one per place: each place's look-up scanned the texts again."""
    selects = []
    for locale, items in places.items():
        queries = [(_TEXTS.c[f"{field}_vector"], cast(match, TSQUERY), points) for field, match, points in items]
        wanted = {}  # per vector, its places' queries joined with || (tsquery OR): one test per vector
        for vector, query, _ in queries:
            wanted[vector.name] = (
                vector,
                query if vector.name not in wanted else wanted[vector.name][1].op("||")(query),
            )
        points = case(*((vector.op("@@")(query), score) for vector, query, score in queries)).label("points")
        condition = or_(*(vector.op("@@")(query) for vector, query in wanted.values()))
        selects.append(
            select(_TEXTS.c.programme_id.label("programme_id"), *columns, points).where(
                _TEXTS.c.locale == locale, condition
            )
        )
    return selects

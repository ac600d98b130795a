"""Which programmes have a text containing some terms: FTS5 on SQLite, tsvector with GIN on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Integer, String, and_, cast, column, or_, select, table
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from portal.extensions import db
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


def programmes_with(field: str | None, terms: Terms, *columns) -> list:
    """SELECTs (to UNION ALL) of ids of programmes with a text (in one of the locales of `terms`) containing one
    of its terms, in `field` ('title', 'body', or None for either), and `columns`; none when there is nothing to
    look for. A programme with several matching texts comes once per text.

    On SQLite one SELECT per locale, which tells the language by the rowid: matching the locale column
    too would walk the index entries of every text in that language."""
    terms = {locale: items for locale, items in terms.items() if items}
    if not terms:
        return []
    if db.session.get_bind().dialect.name == "sqlite":
        return [
            select(_FTS.c.rowid.op("/")(LOCALE_SLOTS).label("programme_id"), *columns).where(
                _FTS.c.programme_text_index.match(_fts_query(field, items)),
                _FTS.c.rowid.op("%")(LOCALE_SLOTS) == LOCALE_NUMBERS[locale],
            )
            for locale, items in terms.items()
        ]
    vectors = [_TEXTS.c[f"{name}_vector"] for name in ((field,) if field else FIELDS)]
    conditions = []
    for locale, items in terms.items():
        query = cast(_tsquery(items), TSQUERY)
        conditions.append(and_(_TEXTS.c.locale == locale, or_(*(vector.op("@@")(query) for vector in vectors))))
    return [select(_TEXTS.c.programme_id.label("programme_id"), *columns).where(or_(*conditions))]

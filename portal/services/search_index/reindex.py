"""Rebuild the search index from the programme texts: terms, word list and each database's structures."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text, bindparam, column, delete, insert, select, table, text, update
from sqlalchemy.engine import Connection

from portal.models.programme_search import search_columns
from portal.models.search import (
    DROP_TEXT_INDEX_DDL,
    DROP_WORD_INDEX_DDL,
    TEXT_INDEX_DDL,
    WORD_INDEX_DDL,
    text_index_row,
)

BATCH = 1000
SEARCH_COLUMNS = ("search_title", "search_body", "title_terms", "body_terms")
_TEXTS = table(
    "programme_texts",
    *(column(name, String) for name in ("locale", "title", "summary")),
    column("programme_id", Integer),
    *(column(name, Text) for name in ("description", "description_text", *SEARCH_COLUMNS)),
)
_ALL_TEXTS = f"SELECT {text_index_row('t')} FROM programme_texts t"  # noqa: S608  (constants only)
_WORDS = table("search_words", column("locale", String), column("word", String), column("term", String))


def _run(connection: Connection, statements: dict[str, tuple[str, ...]]) -> None:
    for statement in statements.get(connection.dialect.name, ()):
        connection.execute(text(statement))


def rebuild_index(connection: Connection) -> dict[str, int]:
    """Recompute every text's terms, readable description and the word list, and recreate the full-text structures
    (repairs them too).

    Works on a bare connection, so a migration can use it; returns how many texts and words it indexed."""
    _run(connection, DROP_TEXT_INDEX_DDL | {"postgresql": ()})
    _run(connection, DROP_WORD_INDEX_DDL | {"postgresql": ()})
    words: set[tuple[str, str, str]] = set()
    rows = connection.execute(
        select(_TEXTS.c.programme_id, _TEXTS.c.locale, _TEXTS.c.title, _TEXTS.c.summary, _TEXTS.c.description)
    ).all()
    change = (
        update(_TEXTS)
        .where(_TEXTS.c.programme_id == bindparam("p_id"), _TEXTS.c.locale == bindparam("p_locale"))
        .values({name: bindparam(name) for name in (*SEARCH_COLUMNS, "description_text")})
    )
    for start in range(0, len(rows), BATCH):
        values = []
        for programme_id, locale, title, summary, description in rows[start : start + BATCH]:
            columns, pairs = search_columns(locale, title, summary, description)
            values.append({"p_id": programme_id, "p_locale": locale, **columns})
            words.update((locale, word[:64], term[:64]) for word, term in pairs if not word.isdigit())
        connection.execute(change, values)
    connection.execute(delete(_WORDS))
    _run(connection, TEXT_INDEX_DDL)
    _run(connection, WORD_INDEX_DDL)
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"INSERT INTO programme_text_index(rowid, locale, title, body) {_ALL_TEXTS}"))
    ordered = sorted(words)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        connection.execute(insert(_WORDS), [{"locale": a, "word": b, "term": c} for a, b, c in chunk])
    connection.execute(text("ANALYZE programme_texts"))  # the planners' statistics, for the new columns too
    connection.execute(text("ANALYZE search_words"))
    return {"texts": len(rows), "words": len(words)}

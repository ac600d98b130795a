"""The search index beside the programme texts: the word list, and each database's full-text structures.

SQLite: a contentless FTS5 table over programme_texts' terms, kept in step by triggers (rowid = programme id
x 8 + language number), and an FTS5 trigram table over the word list. PostgreSQL: tsvector columns generated
from the terms with GIN indexes, and pg_trgm indexes on the word list. The terms themselves are computed in
Python (portal.text_analysis) when a text is saved, so both databases index exactly the same terms."""

# ruff: noqa: S608  (the DDL below is built from constants only)
from __future__ import annotations

from sqlalchemy import DDL, String, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.models.base import Base

LOCALE_NUMBERS = {"nl": 0, "en": 1, "tr": 2, "ar": 3}
LOCALE_SLOTS = 8  # rowid = programme_id * LOCALE_SLOTS + locale number
PENDING_WORDS = "search_words_pending"


class SearchWord(Base):
    """One word seen in a programme text in one language, with its search term (the folded stem)."""

    __tablename__ = "search_words"

    locale: Mapped[str] = mapped_column(String(5), primary_key=True)
    word: Mapped[str] = mapped_column(String(64), primary_key=True)
    term: Mapped[str] = mapped_column(String(64), index=True)


_LOCALE_NUMBER = "CASE {row}.locale " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in LOCALE_NUMBERS.items()) + " END"


def text_index_row(row: str) -> str:
    """The values of one programme_texts row (alias `row`) as the FTS5 index stores them: rowid, locale, terms."""
    rowid = f"{row}.programme_id * {LOCALE_SLOTS} + {_LOCALE_NUMBER.format(row=row)}"
    return f"{rowid}, {row}.locale, {row}.title_terms, {row}.body_terms"


def _word_row(row: str) -> str:
    return f"{row}.rowid, 'lang=' || {row}.locale, '  ' || {row}.word || ' ', {row}.term"


TEXT_INDEX_DDL = {
    "sqlite": (
        "CREATE VIRTUAL TABLE IF NOT EXISTS programme_text_index USING fts5("
        "locale, title, body, content='', tokenize='ascii')",
        "CREATE TRIGGER IF NOT EXISTS programme_text_index_insert AFTER INSERT ON programme_texts BEGIN "
        f"INSERT INTO programme_text_index(rowid, locale, title, body) VALUES ({text_index_row('new')}); END",
        "CREATE TRIGGER IF NOT EXISTS programme_text_index_delete AFTER DELETE ON programme_texts BEGIN "
        "INSERT INTO programme_text_index(programme_text_index, rowid, locale, title, body) "
        f"VALUES ('delete', {text_index_row('old')}); END",
        "CREATE TRIGGER IF NOT EXISTS programme_text_index_update "
        "AFTER UPDATE OF programme_id, locale, title_terms, body_terms ON programme_texts BEGIN "
        "INSERT INTO programme_text_index(programme_text_index, rowid, locale, title, body) "
        f"VALUES ('delete', {text_index_row('old')}); "
        f"INSERT INTO programme_text_index(rowid, locale, title, body) VALUES ({text_index_row('new')}); END",
    ),
    "postgresql": (
        "ALTER TABLE programme_texts ADD COLUMN IF NOT EXISTS title_vector tsvector "
        "GENERATED ALWAYS AS (array_to_tsvector(string_to_array(title_terms, ' '))) STORED",
        "ALTER TABLE programme_texts ADD COLUMN IF NOT EXISTS body_vector tsvector "
        "GENERATED ALWAYS AS (array_to_tsvector(string_to_array(body_terms, ' '))) STORED",
        "CREATE INDEX IF NOT EXISTS ix_programme_texts_title_vector ON programme_texts USING gin (title_vector)",
        "CREATE INDEX IF NOT EXISTS ix_programme_texts_body_vector ON programme_texts USING gin (body_vector)",
    ),
}
DROP_TEXT_INDEX_DDL = {
    "sqlite": (
        "DROP TRIGGER IF EXISTS programme_text_index_insert",
        "DROP TRIGGER IF EXISTS programme_text_index_delete",
        "DROP TRIGGER IF EXISTS programme_text_index_update",
        "DROP TABLE IF EXISTS programme_text_index",
    ),
    "postgresql": (
        "DROP INDEX IF EXISTS ix_programme_texts_title_vector",
        "DROP INDEX IF EXISTS ix_programme_texts_body_vector",
        "ALTER TABLE programme_texts DROP COLUMN IF EXISTS title_vector",
        "ALTER TABLE programme_texts DROP COLUMN IF EXISTS body_vector",
    ),
}
WORD_INDEX_DDL = {
    "sqlite": (
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_word_trigrams USING fts5("
        "locale, padded, term, content='', tokenize='trigram')",
        "CREATE TRIGGER IF NOT EXISTS search_word_trigrams_insert AFTER INSERT ON search_words BEGIN "
        f"INSERT INTO search_word_trigrams(rowid, locale, padded, term) VALUES ({_word_row('new')}); END",
        "CREATE TRIGGER IF NOT EXISTS search_word_trigrams_delete AFTER DELETE ON search_words BEGIN "
        "INSERT INTO search_word_trigrams(search_word_trigrams, rowid, locale, padded, term) "
        f"VALUES ('delete', {_word_row('old')}); END",
    ),
    "postgresql": (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
        "CREATE INDEX IF NOT EXISTS ix_search_words_word_trgm ON search_words USING gin (word gin_trgm_ops)",
        "CREATE INDEX IF NOT EXISTS ix_search_words_term_trgm ON search_words USING gin (term gin_trgm_ops)",
    ),
}
DROP_WORD_INDEX_DDL = {
    "sqlite": (
        "DROP TRIGGER IF EXISTS search_word_trigrams_insert",
        "DROP TRIGGER IF EXISTS search_word_trigrams_delete",
        "DROP TABLE IF EXISTS search_word_trigrams",
    ),
    "postgresql": (
        "DROP INDEX IF EXISTS ix_search_words_word_trgm",
        "DROP INDEX IF EXISTS ix_search_words_term_trgm",
    ),
}
# Made by the DDL above, not by the models: Alembic's comparison leaves them alone.
DDL_NAMES = ("programme_text_index", "search_word_trigrams", "title_vector", "body_vector")


def made_by_search_ddl(name: str | None) -> bool:
    """True for a table, column or index that the search DDL makes (and the models do not describe)."""
    return bool(name) and (name.startswith(DDL_NAMES) or name.endswith(("_vector", "_trgm")))


def listen_ddl(table, when: str, statements: dict[str, tuple[str, ...]]) -> None:
    """Run each dialect's `statements` when `table` is created or dropped (`when`: after_create, before_drop)."""
    for dialect, items in statements.items():
        for statement in items:
            event.listen(table, when, DDL(statement).execute_if(dialect=dialect))


listen_ddl(SearchWord.__table__, "after_create", WORD_INDEX_DDL)
listen_ddl(SearchWord.__table__, "before_drop", {"sqlite": DROP_WORD_INDEX_DDL["sqlite"]})


def remember_words(session: Session | None, locale: str, pairs: list[tuple[str, str]]) -> None:
    """Note (word, term) pairs of a text being saved; they join the word list when the session flushes."""
    if session is None:
        return
    pending = session.info.setdefault(PENDING_WORDS, set())
    pending.update((locale, word[:64], term[:64]) for word, term in pairs if not word.isdigit())


@event.listens_for(Session, "after_flush")
def _add_pending_words(session: Session, flush_context) -> None:
    """Add the words noted during this flush to the word list (words already there are left as they are)."""
    pending = session.info.pop(PENDING_WORDS, None)
    if not pending:
        return
    connection = session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    rows = [{"locale": locale, "word": word, "term": term} for locale, word, term in sorted(pending)]
    connection.execute(insert(SearchWord.__table__).on_conflict_do_nothing(), rows)

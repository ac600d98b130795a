"""The word list: which indexed terms contain a stem, and which words are near a misspelt one."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Integer, String, bindparam, column, func, literal, select, table, union_all

from portal.extensions import db
from portal.models.programme_order import code_point_order
from portal.models.search import SearchWord
from portal.services.search_index.similarity import trigrams

MAX_PARTIAL_TERMS = 50
MAX_TYPO_CANDIDATES = 200
_WORD_TRIGRAMS = table("search_word_trigrams", column("rowid", Integer), column("search_word_trigrams"))


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _sqlite_rows(match):
    """Rowids in search_words matching an FTS5 trigram query (`match`, bound; see `_within`)."""
    return select(_WORD_TRIGRAMS.c.rowid).where(_WORD_TRIGRAMS.c.search_word_trigrams.match(match))


def _within(locale: str, match: str) -> str:
    """An FTS5 trigram query within one language."""
    return f"locale : {_quoted('lang=' + locale)} AND {match}"


def _dialect() -> str:
    return db.session.get_bind().dialect.name


@lru_cache(maxsize=64)
def _containing_statement(locales: tuple[str, ...], dialect: str):
    """The look-up of terms containing a stem per locale of `locales` (stem number n bound as `stem_<n>`): built
    once per shape, since building it cost more than running it. On SQLite the trigram query names the stem only:
    the few words containing it are kept to the locale by the row's column, where the trigrams of 'lang=nl' walked
    an entry for every word of the language."""
    parts = []
    for number, locale in enumerate(locales):
        stem = bindparam(f"stem_{number}", type_=String)
        query = select(SearchWord.term).where(SearchWord.locale == locale)
        if dialect == "sqlite":
            query = query.where(column("rowid", Integer).in_(_sqlite_rows(stem)))
        else:
            query = query.where(SearchWord.term.like(stem))  # a whole pattern, so the trigram index serves it
        query = query.group_by(SearchWord.term).order_by(
            func.length(SearchWord.term), code_point_order(SearchWord.term, dialect)
        )
        inner = query.limit(MAX_PARTIAL_TERMS).subquery()
        parts.append(select(literal(number).label("n"), inner.c.term))
    return union_all(*parts)


def terms_containing(stems: list[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """For each (locale, stem) of three letters or more, the indexed terms that contain it (shortest first)."""
    stems = [(locale, stem) for locale, stem in dict.fromkeys(stems) if len(stem) >= 3]
    if not stems:
        return {}
    dialect = _dialect()
    values = {
        f"stem_{number}": f"term : {_quoted(stem)}" if dialect == "sqlite" else f"%{stem}%"
        for number, (locale, stem) in enumerate(stems)
    }
    statement = _containing_statement(tuple(locale for locale, _ in stems), dialect)
    found: dict[tuple[str, str], list[str]] = {key: [] for key in stems}
    for number, term in db.session.connection().execute(statement, values):
        found[stems[number]].append(term)
    return found


@lru_cache(maxsize=64)
def _near_statement(locales: tuple[str, ...], dialect: str):
    """The look-up of typo candidates per locale of `locales` (word number n bound as `word_<n>`), built once."""
    parts = []
    for number, locale in enumerate(locales):
        word = bindparam(f"word_{number}", type_=String)
        query = select(SearchWord.word, SearchWord.term).where(SearchWord.locale == locale)
        if dialect == "sqlite":
            rows = _sqlite_rows(word).order_by(column("rank"))
            query = query.where(column("rowid", Integer).in_(rows.limit(MAX_TYPO_CANDIDATES)))
        else:
            query = query.where(SearchWord.word.op("%")(word)).order_by(
                func.similarity(SearchWord.word, word).desc(), code_point_order(SearchWord.word, dialect)
            )
        inner = query.limit(MAX_TYPO_CANDIDATES).subquery()
        parts.append(select(literal(number).label("n"), inner.c.word, inner.c.term))
    return union_all(*parts)


def near_words(words: list[tuple[str, str]]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """For each (locale, word), words of the list sharing trigrams with it, as (word, term): typo candidates."""
    words = list(dict.fromkeys(words))
    if not words:
        return {}
    dialect = _dialect()
    values = {f"word_{number}": word for number, (_, word) in enumerate(words)}
    if dialect == "sqlite":
        for number, (locale, word) in enumerate(words):
            any_trigram = " OR ".join(_quoted(t) for t in sorted(trigrams(word)))
            values[f"word_{number}"] = _within(locale, f"padded : ({any_trigram})")
    statement = _near_statement(tuple(locale for locale, _ in words), dialect)
    found: dict[tuple[str, str], list[tuple[str, str]]] = {key: [] for key in words}
    for number, word, term in db.session.connection().execute(statement, values):
        found[words[number]].append((word, term))
    return found

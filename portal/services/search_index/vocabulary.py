"""The word list: which indexed terms contain a stem, and which words are near a misspelt one."""

from __future__ import annotations

from sqlalchemy import Integer, column, func, literal, select, table, union_all

from portal.extensions import db
from portal.models.search import SearchWord
from portal.services.search_index.similarity import trigrams

MAX_PARTIAL_TERMS = 50
MAX_TYPO_CANDIDATES = 200
_WORD_TRIGRAMS = table("search_word_trigrams", column("rowid", Integer), column("search_word_trigrams"))


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _sqlite_rows(locale: str, match: str):
    """Rowids in search_words matching an FTS5 trigram query within one language."""
    expression = f"locale : {_quoted('lang=' + locale)} AND {match}"
    return select(_WORD_TRIGRAMS.c.rowid).where(_WORD_TRIGRAMS.c.search_word_trigrams.match(expression))


def _collated(expression):
    return expression.collate("C") if db.session.get_bind().dialect.name == "postgresql" else expression


def terms_containing(stems: list[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """For each (locale, stem) of three letters or more, the indexed terms that contain it (shortest first)."""
    stems = [(locale, stem) for locale, stem in dict.fromkeys(stems) if len(stem) >= 3]
    if not stems:
        return {}
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    parts = []
    for number, (locale, stem) in enumerate(stems):
        query = select(SearchWord.term).where(SearchWord.locale == locale)
        if sqlite:
            rowid = column("rowid", Integer)
            query = query.where(rowid.in_(_sqlite_rows(locale, f"term : {_quoted(stem)}")))
        else:
            query = query.where(SearchWord.term.like(f"%{stem}%"))  # a whole pattern, so the trigram index serves it
        query = query.group_by(SearchWord.term).order_by(func.length(SearchWord.term), _collated(SearchWord.term))
        inner = query.limit(MAX_PARTIAL_TERMS).subquery()
        parts.append(select(literal(number).label("n"), inner.c.term))
    found: dict[tuple[str, str], list[str]] = {key: [] for key in stems}
    for number, term in db.session.execute(union_all(*parts)):
        found[stems[number]].append(term)
    return found


def near_words(words: list[tuple[str, str]]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """For each (locale, word), words of the list sharing trigrams with it, as (word, term): typo candidates."""
    words = list(dict.fromkeys(words))
    if not words:
        return {}
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    parts = []
    for number, (locale, word) in enumerate(words):
        query = select(SearchWord.word, SearchWord.term).where(SearchWord.locale == locale)
        if sqlite:
            any_trigram = " OR ".join(_quoted(t) for t in sorted(trigrams(word)))
            rows = _sqlite_rows(locale, f"padded : ({any_trigram})").order_by(column("rank"))
            query = query.where(column("rowid", Integer).in_(rows.limit(MAX_TYPO_CANDIDATES)))
        else:
            query = query.where(SearchWord.word.op("%")(word)).order_by(
                func.similarity(SearchWord.word, word).desc(), _collated(SearchWord.word)
            )
        inner = query.limit(MAX_TYPO_CANDIDATES).subquery()
        parts.append(select(literal(number).label("n"), inner.c.word, inner.c.term))
    found: dict[tuple[str, str], list[tuple[str, str]]] = {key: [] for key in words}
    for number, word, term in db.session.execute(union_all(*parts)):
        found[words[number]].append((word, term))
    return found

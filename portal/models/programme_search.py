"""The programme texts' search columns (folded, stemmed, readable) and their full-text index, kept in step on every
save."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import object_session

from portal.markdown_text import markdown_to_text
from portal.models.programme import ProgrammeText
from portal.models.search import DROP_TEXT_INDEX_DDL, TEXT_INDEX_DDL, listen_ddl, remember_words
from portal.text_analysis import analyse
from portal.text_folding import fold

listen_ddl(ProgrammeText.__table__, "after_create", TEXT_INDEX_DDL)
listen_ddl(ProgrammeText.__table__, "before_drop", {"sqlite": DROP_TEXT_INDEX_DDL["sqlite"]})


def search_columns(
    locale: str, title: str | None, summary: str | None, description: str | None
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The folded and the stemmed search columns of one text, the readable text of its description (for snippets),
    and the (word, term) pairs seen in it."""
    body = f"{summary or ''}\n{description or ''}"
    title_pairs = analyse(title or "", locale)
    body_pairs = analyse(body, locale)
    columns = {
        "search_title": fold(title or ""),
        "search_body": fold(body),
        "title_terms": " ".join(dict.fromkeys(term for _, term in title_pairs)),
        "body_terms": " ".join(dict.fromkeys(term for _, term in body_pairs)),
        "description_text": markdown_to_text(description or ""),
    }
    return columns, title_pairs + body_pairs


def fill_search_columns(text: ProgrammeText) -> list[tuple[str, str]]:
    """Set the search columns of `text` from its texts; returns the (word, term) pairs seen."""
    columns, pairs = search_columns(text.locale, text.title, text.summary, text.description)
    for name, value in columns.items():
        setattr(text, name, value)
    return pairs


@event.listens_for(ProgrammeText, "before_insert")
@event.listens_for(ProgrammeText, "before_update")
def _fold_for_search(mapper, connection, text: ProgrammeText) -> None:
    """Keep the search columns (and so the full-text index, the word list and the snippets' text) in step with the
    texts."""
    pairs = fill_search_columns(text)
    remember_words(object_session(text), text.locale, pairs)

"""The programmes' sort titles (the list's order in each language), recomputed on flush whenever a text changes."""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession

from portal.models.programme import SORT_LOCALES, Programme, ProgrammeText
from portal.text_folding import fold

SORT_TITLE_LENGTH = 160


def code_point_order(expression, dialect: str):
    """`expression` to sort by code point on both databases (PostgreSQL's default collation would differ from
    SQLite's), so both give the same order."""
    return expression.collate("C") if dialect == "postgresql" else expression


def sort_title(locale: str):
    """The sort-title column of `locale` (Dutch for a language the portal has no column for)."""
    return getattr(Programme, f"sort_title_{locale if locale in SORT_LOCALES else 'nl'}")


def refresh_sort_titles(programme: Programme, texts) -> None:
    """Set the programme's sort titles from `texts`: folded titles, Dutch for missing languages, NULL without Dutch."""
    titles = {text.locale: fold(text.title or "")[:SORT_TITLE_LENGTH] for text in texts}
    dutch = titles.get("nl")
    for locale in SORT_LOCALES:
        value = titles.get(locale, dutch) if dutch is not None else None
        if getattr(programme, f"sort_title_{locale}") != value:
            setattr(programme, f"sort_title_{locale}", value)


def _changed_programmes(session: OrmSession) -> dict[int, tuple[Programme, list[ProgrammeText]]]:
    """Programmes that are new, or whose texts were added, removed or edited, with texts not yet in their list."""
    found: dict[int, tuple[Programme, list[ProgrammeText]]] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        extra = []
        if isinstance(obj, Programme):
            changed = obj in session.new or inspect(obj).attrs.translations.history.has_changes()
            programme = obj if changed else None
        elif isinstance(obj, ProgrammeText):
            programme = obj.programme
            if programme is None and obj.programme_id is not None:  # added by id, or just taken off its programme
                programme = session.get(Programme, obj.programme_id)
                extra = [obj] if obj in session.new else []
        else:
            continue
        if programme is not None and programme not in session.deleted:
            found.setdefault(id(programme), (programme, []))[1].extend(extra)
    return found


@event.listens_for(OrmSession, "before_flush")
def _keep_sort_titles(session: OrmSession, flush_context, instances) -> None:
    with session.no_autoflush:
        for programme, extra in _changed_programmes(session).values():
            texts = {id(text): text for text in (*programme.translations, *extra) if text not in session.deleted}
            refresh_sort_titles(programme, texts.values())

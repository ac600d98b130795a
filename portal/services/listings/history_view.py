"""The change history's values: which changes are real, and money in the reader's locale."""

from __future__ import annotations

from babel.numbers import format_currency

from portal.markdown_text import render_markdown

LIST_FIELDS = frozenset({"audiences", "languages"})
MARKDOWN_FIELDS = ("description.", "referral.")


def normalised_text(value: str) -> str:
    """Text as it is stored: line endings as \\n, no spaces at the ends of lines or of the whole."""
    lines = (value or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def same_value(field: str, old: str, new: str) -> bool:
    """True when a field's old and new value read the same: lists as sets, Markdown as rendered."""
    if field in LIST_FIELDS or field.startswith("fit."):
        return set(old.split()) == set(new.split())
    old, new = normalised_text(old), normalised_text(new)
    if old == new:
        return True
    if field.startswith(MARKDOWN_FIELDS):
        return render_markdown(old) == render_markdown(new)
    return False


def money(cents: str, locale: str) -> str:
    """A stored amount in cents as euros in the reader's locale ("€ 2,50"); the value itself when not a number."""
    try:
        return format_currency(int(cents) / 100, "EUR", locale=locale)
    except ValueError:
        return cents

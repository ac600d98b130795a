"""Small pieces of the route-map pages as Python helpers returning Markup: a Jinja macro call costs far more.

The pages show some 75 texts that may have fallen back to Dutch and some 20 lists of levels; each was a
macro call. The output is the same as the macros' was."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.config import LANGUAGES
from portal.translation import current_translations

_ATTRS = {lang: Markup(' lang="{}" dir="{}"').format(lang, "rtl" if lang == "ar" else "ltr") for lang in LANGUAGES}
_EMPTY = Markup("")
_SEPARATORS = {"ar": Markup("، ")}
_COMMA = Markup(", ")


def lang_attrs(value, lang: str) -> Markup:
    """` lang="…" dir="…"` for a text in another language than the page's `lang` (one that fell back to Dutch)."""
    if value.lang == lang:
        return _EMPTY
    known = _ATTRS.get(value.lang)
    if known is not None:
        return known
    return Markup(' lang="{}" dir="{}"').format(value.lang, "rtl" if value.lang == "ar" else "ltr")


def level_list(tag, lang: str) -> Markup:
    """The levels a tag names ('Low, Medium'; Arabic with its own comma), or 'all levels' when it names all."""
    if tag.all_levels:
        return Markup(current_translations().ugettext("all levels"))  # noqa: S704  (as Jinja's _(): our catalog)
    return _SEPARATORS.get(lang, _COMMA).join(escape(level) for level in tag.levels)

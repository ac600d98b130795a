"""Small pieces of the route-map pages as Python helpers returning Markup: a Jinja macro call costs far more.

The pages show some 75 texts that may have fallen back to Dutch and some 20 lists of levels; each was a
macro call. The output is the same as the macros' was."""

from __future__ import annotations

from flask_babel import get_locale
from markupsafe import Markup, escape

from portal.config import LANGUAGES
from portal.translation import current_translations

_ATTRS = {lang: Markup(' lang="{}" dir="{}"').format(lang, "rtl" if lang == "ar" else "ltr") for lang in LANGUAGES}
_EMPTY = Markup("")
_SEPARATORS = {"ar": Markup("، ")}
_COMMA = Markup(", ")
_ALL_LEVELS: dict[str, Markup] = {}  # "all levels" per language: the catalogs change only with a release


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
        return _all_levels(lang)
    return _SEPARATORS.get(lang, _COMMA).join(escape(level) for level in tag.levels)


def _all_levels(lang: str) -> Markup:
    text = _ALL_LEVELS.get(lang)
    if text is None:
        text = Markup(current_translations().ugettext("all levels"))  # noqa: S704  (as Jinja's _(): our catalog)
        if str(get_locale()) == lang:
            _ALL_LEVELS[lang] = text
    return text


def offer_tags(tags, lang: str) -> Markup:
    """An offer's levels per dimension ('Self-reliance: Low, Medium · …'), each in its own span."""
    spans = (f'<span class="wp-offer__tag">{escape(tag.dimension)}: {level_list(tag, lang)}</span>' for tag in tags)
    return Markup(" · ".join(spans))  # noqa: S704  (every part escaped above)

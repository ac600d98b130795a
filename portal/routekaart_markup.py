"""Small pieces of the route-map pages as Python helpers returning Markup: a Jinja macro call costs far more.

The pages show some 75 texts that may have fallen back to Dutch and some 20 lists of levels; each was a
macro call. The output is the same as the macros' was."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.config import LANGUAGES
from portal.i18n import text_direction
from portal.services.routekaarten.labels import shown_label

_EMPTY = Markup("")
_SEPARATORS = {"ar": Markup("، ")}
_COMMA = Markup(", ")


def _attrs(lang: str) -> Markup:
    return Markup(' lang="{}" dir="{}"').format(lang, text_direction(lang))


_ATTRS = {lang: _attrs(lang) for lang in LANGUAGES}


def lang_attrs(value, lang: str) -> Markup:
    """` lang="…" dir="…"` for a text in another language than the page's `lang` (one that fell back to Dutch)."""
    if value.lang == lang:
        return _EMPTY
    return _ATTRS.get(value.lang) or _attrs(value.lang)


def level_list(tag, lang: str) -> Markup:
    """The levels a tag names ('Low, Medium'; Arabic with its own comma), or 'all levels' when it names all."""
    if tag.all_levels:
        return shown_label("all", "", lang)
    return _SEPARATORS.get(lang, _COMMA).join(escape(level) for level in tag.levels)


def offer_tags(tags, lang: str) -> Markup:
    """An offer's levels per dimension ('Self-reliance: Low, Medium · …'), each in its own span."""
    spans = (f'<span class="wp-offer__tag">{escape(tag.dimension)}: {level_list(tag, lang)}</span>' for tag in tags)
    return Markup(" · ".join(spans))  # noqa: S704  (every part escaped above)

"""Gettext for Python code that finds the active catalog once per locale in a request, and lazy strings using it.

Flask-Babel's `gettext` looks up the domain, the locale and the catalog through `g` for every string;
a lazy label (a category, a level) on a page is turned into text many times. The answers are the
same as Flask-Babel's: the catalog of `get_locale()`, so `force_locale` is honoured."""

from __future__ import annotations

from flask import g
from flask_babel import LazyString, get_locale, get_translations


def current_translations():
    """The catalog of the active locale (honours `force_locale`), found once per locale in a request."""
    locale = get_locale()
    if locale is None:  # outside a request: Flask-Babel's empty catalog
        return get_translations()
    cached = g.get("_portal_catalog")
    if cached is None or cached[0] is not locale:
        cached = g._portal_catalog = (locale, get_translations())
    return cached[1]


def gettext(string: str, **variables) -> str:
    """`string` translated into the active locale, formatted with `variables` when there are any."""
    text = current_translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """A string translated when it is shown, in the locale active then (for labels defined at import time)."""
    return LazyString(gettext, string, **variables)

"""Jinja's gettext functions, bound once per rendering to the page's catalog instead of looked up per string.

Flask-Babel's template `_()` finds the catalog anew for every string (the domain, the locale and the
catalog, each through `g`): a page has about a hundred strings. The catalog of a rendering is fixed
when the rendering starts (also inside `force_locale`), so a context processor hands the page
functions bound to it. Macros imported without context see the global functions, which find the
catalog once per locale a request uses. The functions take Jinja's evaluation context, not the
whole context: Jinja copies the whole context for every call of a context function inside a loop.
Output is the same as Jinja's newstyle gettext: the translation is marked safe when autoescaping
is on and formatted with its variables (`%%` too)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask_babel import get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

from portal.translation import current_translations


def _finish(eval_ctx, rv: str, variables: dict) -> str:
    if eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704  (as Jinja's own gettext: the catalog is ours)
    if not variables and "%" not in rv:  # formatting would change nothing
        return rv
    if eval_ctx.autoescape and all(type(value) is int for value in variables.values()):
        # Only counts ("%(num)s places free"): a number's text needs no escaping, so str's % gives the same
        # text as Markup's, which wraps every value in an escaping helper first.
        return Markup(str.__mod__(rv, variables))  # noqa: S704  (our catalog's text and digits)
    return rv % variables


def gettext_functions(catalog: Callable) -> dict:
    """Newstyle `gettext`, `ngettext`, `pgettext`, `npgettext` (and `_`) that read the catalog `catalog()` gives."""

    @pass_eval_context
    def gettext(__eval_ctx, __string: str, **variables) -> str:
        return _finish(__eval_ctx, catalog().ugettext(__string), variables)

    @pass_eval_context
    def ngettext(__eval_ctx, __singular: str, __plural: str, __num: int, **variables) -> str:
        variables.setdefault("num", __num)
        return _finish(__eval_ctx, catalog().ungettext(__singular, __plural, __num), variables)

    @pass_eval_context
    def pgettext(__eval_ctx, __string_ctx: str, __string: str, **variables) -> str:
        variables.setdefault("context", __string_ctx)
        return _finish(__eval_ctx, catalog().upgettext(__string_ctx, __string), variables)

    @pass_eval_context
    def npgettext(__eval_ctx, __string_ctx: str, __singular: str, __plural: str, __num: int, **variables) -> str:
        variables.setdefault("context", __string_ctx)
        variables.setdefault("num", __num)
        return _finish(__eval_ctx, catalog().unpgettext(__string_ctx, __singular, __plural, __num), variables)

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}


def init_app(app: Flask) -> None:
    """Install the global gettext functions and the context processor that binds them per rendering."""
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(gettext_functions(current_translations))

    @app.context_processor
    def _bound_gettext() -> dict:
        translations = get_translations()
        return gettext_functions(lambda: translations)

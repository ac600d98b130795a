"""Jinja's gettext functions, bound once per rendering to the page's catalog instead of looked up per string.

Flask-Babel's template `_()` finds the catalog anew for every string (the domain, the locale and the
catalog, each through `g`): a page has about a hundred strings. The catalog of a rendering is fixed
when the rendering starts (also inside `force_locale`), so a context processor hands the page
functions bound to it. Macros imported without context still see the global functions; those look
the catalog up once per locale a request uses. Output is the same as Jinja's newstyle gettext:
the translation is marked safe when autoescaping is on and formatted with its variables (`%%` too)."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup

from portal.translation import current_translations


def bound_gettext_functions(translations) -> dict:
    """Newstyle `gettext`, `ngettext`, `pgettext`, `npgettext` (and `_`) that read `translations`."""

    @pass_context
    def gettext(__context, __string: str, **variables) -> str:
        rv = translations.ugettext(__string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704  (as Jinja's own gettext: the catalog is ours)
        if not variables and "%" not in rv:  # formatting would change nothing
            return rv
        return rv % variables

    @pass_context
    def ngettext(__context, __singular: str, __plural: str, __num: int, **variables) -> str:
        variables.setdefault("num", __num)
        rv = translations.ungettext(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704  (as Jinja's own gettext: the catalog is ours)
        return rv % variables

    @pass_context
    def pgettext(__context, __string_ctx: str, __string: str, **variables) -> str:
        variables.setdefault("context", __string_ctx)
        rv = translations.upgettext(__string_ctx, __string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704  (as Jinja's own gettext: the catalog is ours)
        return rv % variables

    @pass_context
    def npgettext(__context, __string_ctx: str, __singular: str, __plural: str, __num: int, **variables) -> str:
        variables.setdefault("context", __string_ctx)
        variables.setdefault("num", __num)
        rv = translations.unpgettext(__string_ctx, __singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704  (as Jinja's own gettext: the catalog is ours)
        return rv % variables

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}


def init_app(app: Flask) -> None:
    """Install the global gettext functions and the context processor that binds them per rendering."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @app.context_processor
    def _bound_gettext() -> dict:
        return bound_gettext_functions(get_translations())

"""The layout's menus and footer rendered once per language and place in the site, then reused for every page.

base.html's menus and footer are a pure function of the page's language, the site's script root and a few
plain values (the page's endpoint and section, the account's role, the demo flag), together with the templates
and catalogs, which only change with a release. Rendering them cost a page some 25 gettext and url_for calls
(about 15 % of a small signed-in page); a dict look-up replaces that. The templates in layout/ therefore see
only the values their call passes (never request, current_user or g); what is per person (the unread badge,
the CSRF token of the logout form) stays in base.html. The memo is per app, holds nothing from the database
or about a person, empties itself when full, and is off in debug mode, where templates reload."""

from __future__ import annotations

from flask import request
from markupsafe import Markup

from portal.fragment_memo import keep_fragments, rendered_fragment
from portal.i18n import current_language

MEMO_SIZE = 2048  # fragments; emptied when full
_EXTENSION = "layout_fragments"


def layout_fragment(name: str, **values: str | bool | None) -> Markup:
    """The HTML of layout/<name>.html for these values in the page's language (from the memo when it has it)."""
    key = (name, current_language(), request.script_root, *sorted(values.items()))
    return rendered_fragment(_EXTENSION, f"layout/{name}.html", key, values)


def init_app(app) -> None:
    """Offer `layout_fragment` to the templates; keep the memo unless templates reload (debug)."""
    keep_fragments(app, _EXTENSION, MEMO_SIZE)
    app.add_template_global(layout_fragment)

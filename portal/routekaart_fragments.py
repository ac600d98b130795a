"""The route-map selector's form rendered once per language, map and choice, then reused for every page.

The form (three questions of four options each) is a pure function of the page's URL (language, script root and
map), the step its results land on, the chosen levels and whether there is anything to clear: all from the
route maps' files, the catalogs and the query string's few valid values, never from the database. Rendering it
cost a route-map page some 1.5 M instructions. The memo is per app, empties itself when full, and is off in
debug mode, where templates reload (as layout_fragments')."""

from __future__ import annotations

from markupsafe import Markup

from portal.fragment_memo import keep_fragments, rendered_fragment
from portal.i18n import current_language

MEMO_SIZE = 1024  # forms; emptied when full
_EXTENSION = "routekaart_fragments"


def selector_form(here: str, step_id: str, fields, show_clear: bool) -> Markup:
    """The HTML of routekaarten/_selector.html for these values (from the memo when it has it)."""
    chosen = tuple(option.value for field in fields for option in field.options if option.checked)
    key = (current_language(), here, step_id, chosen, show_clear)
    values = {"here": here, "step_id": step_id, "fields": fields, "show_clear": show_clear}
    return rendered_fragment(_EXTENSION, "routekaarten/_selector.html", key, values)


def init_app(app) -> None:
    """Offer `selector_form` to the templates; keep the memo unless templates reload (debug)."""
    keep_fragments(app, _EXTENSION, MEMO_SIZE)
    app.add_template_global(selector_form)

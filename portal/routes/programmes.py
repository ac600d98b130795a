"""The social map as a list, and one programme with its upcoming sessions."""

from flask import Blueprint, abort, render_template, request

from portal.services.programmes import get_published, list_published, upcoming_sessions

bp = Blueprint("programmes", __name__)


def _page_number(raw: str | None) -> int:
    """A page number from the query string; anything odd means page 1."""
    return int(raw) if raw and raw.isdigit() and 0 < len(raw) <= 6 and int(raw) > 0 else 1


@bp.get("")
def index():
    """All published programmes, a page at a time."""
    listing = list_published(page=_page_number(request.args.get("page")))
    return render_template("programmes/index.html", listing=listing)


@bp.get("/<slug>")
def detail(slug: str):
    """One programme: what it is, where, and when it meets next."""
    programme = get_published(slug)
    if programme is None:
        abort(404)
    return render_template("programmes/detail.html", programme=programme, sessions=upcoming_sessions(programme))

"""The social map as a searchable list, and one programme with its upcoming sessions."""

from flask import Blueprint, abort, render_template, request

from portal.access import policy
from portal.filter_options import filter_options
from portal.i18n import current_language
from portal.labels import category_search_words
from portal.page_cache import cached_page
from portal.programme_page import render_detail
from portal.services.policy import PUBLIC
from portal.services.social_map.filters import parse_filters, parse_page
from portal.services.social_map.programme_detail import get_published
from portal.services.social_map.search import search_programmes

bp = Blueprint("programmes", __name__)


@bp.get("")
@policy(PUBLIC)
@cached_page
def index():
    """Published programmes matching the search and filters, a page at a time."""
    parsed = parse_filters(request.args)
    lang = current_language()
    results = search_programmes(
        parsed.filters, lang, page=parse_page(request.args.get("page")), category_words=category_search_words(lang)
    )
    return render_template(
        "programmes/index.html", parsed=parsed, filters=parsed.filters, results=results, options=filter_options()
    )


@bp.get("/<slug:slug>")
@policy(PUBLIC)
@cached_page
def detail(slug: str):
    """One programme: what it is, where, when it meets next and which route maps name it."""
    programme = get_published(slug)
    if programme is None:
        abort(404)
    return render_detail(programme)

"""The root redirect and the home page."""

from flask import Blueprint, current_app, redirect, render_template, url_for

from portal.access import policy
from portal.config import LANGUAGES
from portal.http_caching import PRIVATE_CACHE_CONTROL
from portal.i18n import current_language, preferred_language
from portal.page_cache import cached_page
from portal.services.policy import PUBLIC
from portal.services.social_map.filters import ProgrammeFilters
from portal.services.social_map.search import search_programmes
from portal.template_helpers import default_neighbourhood

root_bp = Blueprint("root", __name__)
bp = Blueprint("main", __name__)


@root_bp.get("/")
@policy(PUBLIC)
def root():
    """Send the visitor to the home page in their language (from the account or the browser: never cached)."""
    response = redirect(url_for("main.home", lang=preferred_language()))
    response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@root_bp.get("/robots.txt")
@policy(PUBLIC)
@cached_page
def robots():
    """Crawlers may read the public pages, not the accounts or the API."""
    lines = ["User-agent: *", "Disallow: /api/"] + [f"Disallow: /{lang}/account" for lang in LANGUAGES]
    return "\n".join(lines) + "\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/")
@policy(PUBLIC)
@cached_page
def home():
    """The home page: what the portal offers and a few programmes."""
    hood = default_neighbourhood(current_app.config["PORTAL_NEIGHBOURHOOD"])
    results = search_programmes(ProgrammeFilters(), current_language(), per_page=6)
    return render_template("main/home.html", neighbourhood=hood, results=results)

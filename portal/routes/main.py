"""The root redirect and the home page."""

from flask import Blueprint, current_app, redirect, render_template, url_for

from portal.i18n import preferred_language
from portal.services.neighbourhoods import default_neighbourhood
from portal.services.programmes import list_published

root_bp = Blueprint("root", __name__)
bp = Blueprint("main", __name__)


@root_bp.get("/")
def root():
    """Send the visitor to the home page in their language."""
    response = redirect(url_for("main.home", lang=preferred_language()))
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


@bp.get("/")
def home():
    """The home page: what the portal offers and a few programmes."""
    hood = default_neighbourhood(current_app.config["PORTAL_NEIGHBOURHOOD"])
    listing = list_published(page=1, per_page=6)
    return render_template("main/home.html", neighbourhood=hood, listing=listing)

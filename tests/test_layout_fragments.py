"""The layout's menus and footer from the fragment memo: the same HTML as rendered fresh, per language, page and
kind of account, with what is per person (the unread badge, the logout form's token) never shared."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from tests.factories import NeighbourhoodFactory

PAGES = ("/nl/", "/ar/programmes", "/en/map", "/tr/routekaarten", "/nl/privacy", "/nl/account", "/nl/login")


def _header_and_footer(html: str) -> str:
    """The page's header and footer, where the fragments are."""
    header = html[html.index("<header") : html.index("</header>")]
    footer = html[html.index('<footer class="wp-page-footer"') : html.index("</footer>")]
    return re.sub(r'name="csrf_token" value="[^"]*"', "", header + footer)


def _pages(client) -> dict[str, str]:
    """Header and footer of every page that answers (a visitor is sent from /account, an account from /login)."""
    answers = {path: client.get(path) for path in PAGES}
    return {path: _header_and_footer(r.get_data(as_text=True)) for path, r in answers.items() if r.status_code == 200}


@pytest.mark.parametrize("role", [None, "resident", "professional", "broker", "admin"])
def test_menus_from_the_memo_are_the_ones_rendered_fresh(app, client, login, role):
    NeighbourhoodFactory(slug=app.config["PORTAL_NEIGHBOURHOOD"], is_demo=True)
    db.session.commit()
    if role:
        login(role)
    memo = app.extensions["layout_fragments"]
    memo.clear()
    fresh = _pages(client)
    assert memo  # the first round filled it
    assert _pages(client) == fresh  # the second round came from it
    app.extensions.pop("layout_fragments")
    try:
        assert _pages(client) == fresh  # and without a memo at all
    finally:
        app.extensions["layout_fragments"] = memo


def test_the_current_page_is_marked_in_each_menu(app, client, login):
    login("resident")
    html = client.get("/nl/programmes").get_data(as_text=True)
    assert re.search(r'wp-nav__link--current" href="/nl/programmes" aria-current="page"', html)
    html = client.get("/nl/bookings").get_data(as_text=True)
    assert re.search(r'href="/nl/bookings" aria-current="page"', html)
    assert "wp-nav__link--current" not in html  # no main menu item for one's appointments
    html = client.get("/ar/").get_data(as_text=True)
    assert re.search(r'wp-nav__link--current" href="/ar/" aria-current="page"', html)


def test_what_is_per_person_is_never_shared(app, client, login):
    """Two residents in turn: each page has that resident's own token, and menus fit each account's role."""
    first = login("resident")
    page_one = client.get("/nl/privacy").get_data(as_text=True)
    client.post("/nl/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page_one)[1]})
    login("professional")
    page_two = client.get("/nl/privacy").get_data(as_text=True)
    token = re.compile(r'name="csrf_token" value="([^"]+)"')
    assert token.search(page_one)[1] != token.search(page_two)[1]
    assert "/nl/bookings" in page_one and "/nl/bookings" not in page_two
    assert "/nl/professional/" in page_two and "/nl/professional/" not in page_one
    assert first.email not in page_two


def test_the_demo_note_follows_the_neighbourhood(app, client):
    hood = NeighbourhoodFactory(slug=app.config["PORTAL_NEIGHBOURHOOD"], is_demo=True)
    db.session.commit()
    assert "wp-demo-note" in client.get("/nl/privacy").get_data(as_text=True)
    hood.is_demo = False
    db.session.commit()
    assert "wp-demo-note" not in client.get("/en/privacy").get_data(as_text=True)
    assert "wp-demo-note" not in client.get("/nl/privacy").get_data(as_text=True)  # a listing change: a new page


def test_the_memo_stays_within_its_size(app, client, monkeypatch):
    monkeypatch.setattr(app.extensions["layout_fragments"], "size", 3)
    for path in PAGES:
        client.get(path)
        assert len(app.extensions["layout_fragments"]) <= 3


def test_no_memo_when_templates_reload(database, tmp_path):
    from portal import create_app
    from tests.conftest import base_config

    settings = {k: v for k, v in database.items() if k != "backend"}
    app = create_app(base_config(tmp_path) | settings | {"TEMPLATES_AUTO_RELOAD": True})
    assert "layout_fragments" not in app.extensions

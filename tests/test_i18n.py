"""Language prefixes, the root redirect, the switcher, right-to-left and local times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from portal.extensions import db
from portal.labels import change_field_label
from tests.factories import NeighbourhoodFactory, ProgrammeFactory

LANGUAGES = ("nl", "en", "tr", "ar")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("en-GB,en;q=0.9", "en"), ("tr", "tr"), ("ar-MA", "ar"), ("de-DE", "nl"), ("", "nl"), ("fr;q=x,,;", "nl")],
)
def test_root_redirects_by_accept_language(client, accept, expected):
    response = client.get("/", headers={"Accept-Language": accept})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{expected}/"
    assert "Accept-Language" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "private, no-store"  # no shared cache keeps one visitor's choice


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_page_in_a_language_sets_no_cookie_and_the_root_still_asks_the_browser(client, lang):
    """The language lives in the URL: visiting /tr/ remembers nothing, so a shared cache may keep the page."""
    assert "Set-Cookie" not in client.get(f"/{lang}/").headers
    assert client.get_cookie("lang") is None
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/en/"


def test_root_prefers_the_account_language_over_the_browser(client, login):
    login("resident", locale="ar")
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/ar/"


@pytest.mark.parametrize("cookie", ["xx", "tr"])
def test_a_language_cookie_is_ignored(client, cookie):
    client.set_cookie("lang", cookie)
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/en/"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_has_lang_and_dir(client, lang):
    NeighbourhoodFactory()
    db.session.commit()
    html = client.get(f"/{lang}/").get_data(as_text=True)
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}"' in html


def test_pages_are_translated(client):
    assert "Activiteiten" in client.get("/nl/programmes").get_data(as_text=True)
    assert "Activities" in client.get("/en/programmes").get_data(as_text=True)
    assert "Etkinlikler" in client.get("/tr/programmes").get_data(as_text=True)
    assert "البرامج" in client.get("/ar/programmes").get_data(as_text=True)


def test_unknown_language_is_a_dutch_404_with_links_to_the_four_languages(client):
    response = client.get("/de/programmes")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="nl"' in html
    assert "Pagina niet gevonden" in html
    for lang in LANGUAGES:
        assert f'href="/{lang}/"' in html


def test_unknown_page_in_arabic_is_an_arabic_404(client):
    response = client.get("/ar/nothing-here")
    assert response.status_code == 404
    assert 'dir="rtl"' in response.get_data(as_text=True)


def test_switcher_keeps_the_page_and_the_query(client):
    ProgrammeFactory(slug="in-beweging")
    db.session.commit()
    html = client.get("/en/programmes/in-beweging?ref=x&ref=y").get_data(as_text=True)
    assert 'href="/ar/programmes/in-beweging?ref=x&amp;ref=y"' in html
    assert 'href="/nl/programmes/in-beweging?ref=x&amp;ref=y"' in html


def test_switcher_marks_the_current_language(client):
    html = client.get("/tr/programmes").get_data(as_text=True)
    assert 'lang="tr" aria-current="true">Türkçe' in html


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 7, 7, 8, 0, tzinfo=UTC), "10:00"),  # summer time: UTC+2
        (datetime(2026, 12, 8, 9, 0, tzinfo=UTC), "10:00"),  # winter time: UTC+1
    ],
)
def test_times_are_shown_in_amsterdam_time(app, moment, expected):
    from flask_babel import format_time

    with app.test_request_context("/nl/"), force_locale("nl"):
        assert format_time(moment, "HH:mm") == expected


def test_dates_are_formatted_for_the_locale(app):
    from flask_babel import format_date

    day = datetime(2026, 12, 8, 12, tzinfo=UTC).date()
    with app.test_request_context("/nl/"):
        with force_locale("nl"):
            assert format_date(day, "full") == "dinsdag 8 december 2026"
        with force_locale("en"):
            assert format_date(day, "full") == "Tuesday, December 8, 2026"
        with force_locale("tr"):
            assert "Aralık" in format_date(day, "full")
        with force_locale("ar"):
            assert "ديسمبر" in format_date(day, "full")


@pytest.mark.parametrize(
    ("locale", "code", "label"),
    [
        ("nl", "title.tr", "Titel (Turks)"),
        ("en", "summary.ar", "Summary in one sentence (Arabic)"),
        ("nl", "fit.motivatie", "Routekaart: Motivatie"),
        ("tr", "session.status", "Seans iptal edildi"),
        ("nl", "no.such-field", "no.such-field"),
        ("nl", "title.", "title."),
    ],
)
def test_change_history_fields_are_named_in_words(app, locale, code, label):
    with app.test_request_context(), force_locale(locale):
        assert change_field_label(code) == label

"""Hostile and odd search texts (FTS and SQL syntax, stop words, punctuation, mixed scripts): never a 500."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.services.social_map.filters import ProgrammeFilters
from portal.services.social_map.search import search_programmes
from tests.factories import ProgrammeFactory

ODD_QUERIES = [
    "",
    " ",
    "a" * 400,
    "wandelen " * 50,
    '"',
    '"wandelen',
    "*",
    "wandel*",
    "NEAR",
    "NEAR(wandelen groep)",
    "wandelen NEAR groep",
    "-",
    "-wandelen",
    ":",
    "title:wandelen",
    "title : wandelen",
    "{title body}:x",
    "'",
    "' OR 1=1 --",
    "wandelen' OR 'x'='x",
    "AND OR NOT",
    "^wandelen",
    "wandelen & groep | !x",
    "'wandel':* & x",
    "%_%",
    "\\",
    "de het een",
    "the and of",
    "ve ile için",
    "في من على",
    "!!! ??? ...",
    "ـــ",
    "\u0301\u064e",
    "wandelen yürüyüş المشي walking",
    "WANDELEN ıİ",
    "🙂 🚶",
    "١٢٣ 0042",
]


def _titles(html: str) -> list[str]:
    return re.findall(r'class="wp-card__title">.*?<a href="[^"]+"[^>]*>([^<]+)</a>', html, re.S)


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_search_texts_answer_200_on_list_map_and_feed(client, query):
    programme = ProgrammeFactory(slug="wandel")
    programme.text("nl").title = "Wandelgroep"
    db.session.commit()
    for path in ("/nl/programmes", "/tr/programmes", "/ar/map"):
        assert client.get(path, query_string={"q": query}).status_code == 200, (path, query)
    assert client.get("/api/v1/map/locations.geojson", query_string={"q": query, "lang": "en"}).status_code == 200


@pytest.mark.parametrize("query", ODD_QUERIES)
@pytest.mark.parametrize("locale", ["nl", "en", "tr", "ar"])
def test_odd_search_texts_in_the_service(app, query, locale):
    ProgrammeFactory(slug="wandel")
    db.session.commit()
    page = search_programmes(ProgrammeFilters(q=query), locale)  # uncut, unlike the page (which cuts at 200)
    assert page.total == len(page.results) <= 1


def test_syntax_characters_are_words_not_operators(client):
    programme = ProgrammeFactory(slug="wandel")
    programme.text("nl").title = "Wandelgroep"
    other = ProgrammeFactory(slug="ander")
    other.text("nl").title = "Tekenles"
    db.session.commit()
    assert _titles(client.get("/nl/programmes", query_string={"q": '"wandelgroep" OR tekenles'}).get_data(True)) == []
    assert _titles(client.get("/nl/programmes", query_string={"q": "-wandelgroep"}).get_data(True)) == ["Wandelgroep"]
    assert _titles(client.get("/nl/programmes", query_string={"q": "title:wandelgroep"}).get_data(True)) == []

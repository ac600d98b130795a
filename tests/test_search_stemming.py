"""Search by word form, compound and typo: Snowball stems per language, folded letters, corrected typos."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from portal.extensions import db
from portal.models import Programme, ProgrammeText, SearchWord
from portal.services.search_index.similarity import corrections, similarity
from portal.services.search_index.vocabulary import terms_containing
from portal.text_analysis import analyse, term_of
from tests.factories import ProgrammeFactory
from tests.support.queries import count_queries


def _titles(html: str) -> list[str]:
    return re.findall(r'class="wp-card__title">.*?<a href="[^"]+"[^>]*>([^<]+)</a>', html, re.S)


def _programme(slug, title, description="", category="ontmoeten"):
    programme = ProgrammeFactory(slug=slug, category=category)
    nl = programme.text("nl")
    nl.title, nl.summary, nl.description = title, f"{title} kort", description or f"Over {title}."
    return programme


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("nl", ["wandelen", "wandeling", "Wandelen"]),
        ("nl", ["bewegen", "beweging"]),
        ("nl", ["zwemmen", "zwem"]),
        ("en", ["walking", "walks", "walk"]),
        ("tr", ["yürüyüş", "YÜRÜYÜŞ"]),
        ("tr", ["sağlıklı", "SAĞLIKLI"]),  # dotless ı and its capital I
        ("ar", ["الرياضة", "الرِّياضَة", "الريـــاضة", "الرياضه"]),  # diacritics, tatweel, taa marbuta as haa
        ("ar", ["أمسية", "امسيه", "إمسية"]),  # alef forms
    ],
)
def test_word_forms_share_one_term(locale, words):
    assert len({term_of(word, locale) for word in words}) == 1, [term_of(word, locale) for word in words]


def test_accents_and_case_fold_before_stemming():
    assert term_of("Café", "nl") == term_of("cafe", "nl") == "cafe"
    assert term_of("İÇİN", "tr") == term_of("için", "tr")


def test_analyse_drops_punctuation_and_keeps_numbers():
    assert [word for word, _ in analyse("Wandelen!!! (groep 0042) -- “test”", "nl")] == [
        "wandelen",
        "groep",
        "0042",
        "test",
    ]


def test_typo_corrections_are_near_and_alike():
    assert corrections("wandlen", ["wandelen", "wanden", "zingen"]) == ["wandelen", "wanden"]  # nearest first
    assert corrections("wandelen", ["wandelen"]) == []  # the word itself is no correction
    assert corrections("xyzzy", ["wandelen", "zingen"]) == []
    assert similarity("wandlen", "wandelen") == pytest.approx(6 / 11)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("wandelen", ["Een wandeling door de wijk", "Wandelprogramma Diabetes"]),
        ("wandeling", ["Een wandeling door de wijk", "Wandelprogramma Diabetes"]),
        ("wandlen", ["Een wandeling door de wijk", "Wandelprogramma Diabetes"]),
        ("zwemmen", ["Zwemles voor ouderen"]),
        ("zwem", ["Zwemles voor ouderen"]),
        ("beweging", ["Beweegconsult"]),
        ("bewegen", ["Beweegconsult"]),
        ("cafe", ["Buurtcafé De Hoek"]),
        ("groep", ["Praatgroep"]),
    ],
)
def test_word_forms_compounds_and_typos_find_their_programmes(client, query, found):
    _programme("diabetes", "Wandelprogramma Diabetes", description="Samen wandelen, tien weken lang.")
    _programme("wijk", "Een wandeling door de wijk")
    _programme("zwemles", "Zwemles voor ouderen", description="Elke week zwemmen in het bad.")
    _programme("consult", "Beweegconsult")
    _programme("cafe", "Buurtcafé De Hoek")
    _programme("praat", "Praatgroep")
    db.session.commit()
    assert sorted(_titles(client.get("/nl/programmes", query_string={"q": query}).get_data(as_text=True))) == found


def test_ranking_title_over_text_then_title_then_id(client):
    _programme("tekst", "Aaa koffie", description="Hier gaan we ook wandelen.")
    _programme("titel-b", "Wandelen B")
    _programme("titel-a", "Wandelen A")
    _programme("typo", "Wandlen met een typo")
    db.session.commit()
    html = client.get("/nl/programmes?q=wandelen").get_data(as_text=True)
    assert _titles(html) == ["Wandelen A", "Wandelen B", "Aaa koffie"]


def test_the_index_follows_every_change_of_the_texts(client):
    programme = _programme("p", "Damclub", description="Elke week dammen.")
    db.session.commit()
    assert _titles(client.get("/nl/programmes?q=schaken").get_data(as_text=True)) == []
    programme.text("nl").title, programme.text("nl").summary = "Schaken voor iedereen", "Schaken"
    db.session.commit()
    assert _titles(client.get("/nl/programmes?q=schaken").get_data(as_text=True)) == ["Schaken voor iedereen"]
    assert _titles(client.get("/nl/programmes?q=damclub").get_data(as_text=True)) == []
    assert db.session.get(SearchWord, ("nl", "schaken")) is not None
    db.session.delete(programme)
    db.session.commit()
    assert _titles(client.get("/nl/programmes?q=schaken").get_data(as_text=True)) == []


def test_the_english_page_searches_english_and_dutch_texts(client):
    programme = _programme("p", "Wandelgroep")
    programme.translations.append(ProgrammeText(locale="en", title="Walking group", summary="Walks", description="."))
    db.session.commit()
    assert _titles(client.get("/en/programmes?q=walks").get_data(as_text=True)) == ["Walking group"]
    assert _titles(client.get("/en/programmes?q=wandelen").get_data(as_text=True)) == ["Walking group"]


def test_compounds_count_only_in_the_language_of_their_text(client):
    programme = _programme("p", "Koffie")
    programme.translations.append(ProgrammeText(locale="en", title="Walkathon", summary="Coffee", description="."))
    db.session.commit()
    # 'walkathon' contains the stem 'walk' as an English term only: the Dutch look-up does not count it
    assert terms_containing([("nl", "walk"), ("en", "walk")]) == {("nl", "walk"): [], ("en", "walk"): ["walkathon"]}
    assert _titles(client.get("/en/programmes?q=walk").get_data(as_text=True)) == ["Walkathon"]


def test_reindex_rebuilds_terms_words_and_index(runner, client):
    _programme("p", "Schaakclub")
    db.session.commit()
    db.session.execute(text("DELETE FROM search_words"))
    db.session.execute(text("UPDATE programme_texts SET title_terms = '', body_terms = '', description_text = ''"))
    db.session.commit()
    assert _titles(client.get("/nl/programmes?q=schaakclub").get_data(as_text=True)) == []
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt: 1 texts" in result.output
    assert _titles(client.get("/nl/programmes?q=schaakclub").get_data(as_text=True)) == ["Schaakclub"]
    assert _titles(client.get("/nl/programmes?q=schaakclb").get_data(as_text=True)) == ["Schaakclub"]
    assert db.session.scalar(select(SearchWord.term).where(SearchWord.word == "schaakclub")) == "schaakclub"
    assert db.session.scalar(select(ProgrammeText.description_text)) == "Over Schaakclub."


def test_statements_stay_the_same_whatever_the_number_of_matches(client):
    def statements(n: int) -> int:
        for i in range(n):
            _programme(f"s{n}-{i}", f"Wandelen {n} {i}", category="bewegen")
        db.session.commit()
        with count_queries() as sent:
            assert client.get("/nl/programmes?q=wandlen+bewegen").status_code == 200
        return len(sent)

    assert statements(2) == statements(25)


def test_python_trigram_similarity_equals_pg_trgm(app, database):
    if database["backend"] != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    pairs = [
        ("wandlen", "wandelen"),
        ("zwem", "zwam"),
        ("yuruyus", "yürüyüş"),
        ("رياضه", "رياض"),
        ("beweeg", "bewegen"),
        ("a", "abc"),
        ("0042", "0043"),
    ]
    for a, b in pairs:
        assert db.session.scalar(select(db.func.similarity(a, b))) == pytest.approx(similarity(a, b), abs=1e-6), (a, b)
    assert db.session.scalar(text("SHOW pg_trgm.similarity_threshold")) == "0.3"
    assert Programme  # the models are loaded

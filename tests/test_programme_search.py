"""The social map list: search, filters, ranking, notices and pagination."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.models import ProgrammeAudience, ProgrammeLanguage, ProgrammeText
from tests.factories import LocationFactory, ProgrammeFactory, SessionFactory
from tests.support.queries import count_queries

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _titles(html: str) -> list[str]:
    return re.findall(r'class="wp-card__title">.*?<a href="[^"]+"[^>]*>([^<]+)</a>', html, re.S)


def _count(html: str) -> str:
    return re.search(r'class="wp-results__count"[^>]*>([^<]+)<', html).group(1)


def _programme(slug, title, *, summary="", description="", **kwargs):
    programme = ProgrammeFactory(slug=slug, **kwargs)
    text = programme.text("nl")
    text.title, text.summary, text.description = title, summary or f"{title} kort", description or f"Over {title}."
    return programme


def _next_weekday(weekday: int, hour: int) -> datetime:
    today = datetime.now(AMSTERDAM).date() + timedelta(days=1)
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=AMSTERDAM).astimezone(UTC)


def test_search_is_case_and_accent_insensitive(client):
    _programme("koffie", "Buurtcafé De Hoek", description="Koffie drinken in het café.", category="ontmoeten")
    _programme("in-beweging", "In Beweging")
    _programme("anders", "Tekenles", category="creatief")  # "beweging" also finds the category bewegen
    db.session.commit()
    assert _titles(client.get("/nl/programmes?q=cafe").get_data(as_text=True)) == ["Buurtcafé De Hoek"]
    assert _titles(client.get("/nl/programmes?q=CAFÉ").get_data(as_text=True)) == ["Buurtcafé De Hoek"]
    assert _titles(client.get("/nl/programmes?q=beweging").get_data(as_text=True)) == ["In Beweging"]


def test_every_word_must_match(client):
    _programme("a", "Wandelen in het park")
    _programme("b", "Wandelen langs de kanaal")
    db.session.commit()
    assert _titles(client.get("/nl/programmes?q=wandelen+park").get_data(as_text=True)) == ["Wandelen in het park"]


def test_title_matches_rank_above_text_matches(client):
    _programme("tekst", "Aaa Groep", description="Hier gaan we ook zwemmen.")
    _programme("titel", "Zwemmen voor ouderen")
    db.session.commit()
    assert _titles(client.get("/nl/programmes?q=zwemmen").get_data(as_text=True)) == [
        "Zwemmen voor ouderen",
        "Aaa Groep",
    ]


def test_search_covers_the_active_language_and_dutch(client):
    programme = _programme("yuruyus", "Wandelgroep", description="Samen wandelen.")
    programme.translations.append(
        ProgrammeText(locale="tr", title="Yürüyüş grubu", summary="Birlikte", description="Yürüyüş")
    )
    db.session.commit()
    assert _titles(client.get("/tr/programmes?q=yuruyus").get_data(as_text=True)) == ["Yürüyüş grubu"]
    assert _titles(client.get("/tr/programmes?q=wandelgroep").get_data(as_text=True)) == ["Yürüyüş grubu"]
    assert _titles(client.get("/en/programmes?q=yuruyus").get_data(as_text=True)) == []


def test_search_words_match_category_names(client):
    _programme("wandel", "Wandelgroep", category="bewegen")
    _programme("koken", "Samen koken", category="ontmoeten")
    db.session.commit()
    assert _titles(client.get("/nl/programmes?q=bewegen").get_data(as_text=True)) == ["Wandelgroep"]
    assert _titles(client.get("/en/programmes?q=exercise").get_data(as_text=True)) == ["Wandelgroep"]


def test_matching_text_is_shown_with_the_match_marked(client):
    _programme("x", "Groep", description="We gaan elke week samen **zwemmen** in het bad.")
    db.session.commit()
    html = client.get("/nl/programmes?q=zwem").get_data(as_text=True)
    assert "<mark>zwemmen</mark>" in html  # the whole word whose stem matched
    assert "**" not in html


def test_the_snippet_follows_an_edit_of_the_description(client):
    programme = _programme("x", "Groep", description="Elke week **zwemmen**.")
    db.session.commit()
    programme.text("nl").description = "Elke week *fietsen* en zwemmen in het bad."
    db.session.commit()
    html = client.get("/nl/programmes?q=zwem").get_data(as_text=True)
    assert "fietsen en <mark>zwemmen</mark> in het bad" in html  # the readable text kept beside the description
    assert "*" not in html.split("wp-card__title", 1)[1]


def test_sql_and_html_in_the_search_text_are_inert(client):
    _programme("x", "Groep")
    db.session.commit()
    for q in ("' OR 1=1 --", "<script>alert(1)</script>", "100%", "_", "a_b", "%%%", "\\"):
        response = client.get("/nl/programmes", query_string={"q": q})
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<script>alert" not in html
        if any(c.isalnum() for c in q):
            assert _titles(html) == [], q  # LIKE wildcards and quotes are matched literally
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/nl/programmes?q=<script>alert(1)</script>").get_data(
        as_text=True
    )


def test_a_long_search_text_is_cut_with_a_notice(client):
    html = client.get("/nl/programmes", query_string={"q": "a" * 500}).get_data(as_text=True)
    assert "200 tekens" in html
    assert 'value="' + "a" * 200 + '"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=bewegen", {"sport"}),
        ("category=bewegen&category=creatief", {"sport", "tekenen"}),
        ("audience=kinderen", {"tekenen"}),
        ("cost=free", {"sport", "tekenen"}),
        ("cost=paid", {"betaald"}),
        ("referral=needed", {"betaald"}),
        ("referral=none", {"sport", "tekenen"}),
        ("wheelchair=yes", {"sport", "betaald"}),
        ("language=tr", {"tekenen"}),
        ("day=tue", {"sport"}),
        ("day=tue&time=morning", {"sport"}),
        ("day=tue&time=evening", set()),
        ("day=wed&time=evening", {"tekenen"}),
        ("day=tue&day=wed", {"sport", "tekenen"}),
        ("category=bewegen&cost=paid", set()),
    ],
)
def test_filters_combine(client, query, expected):
    accessible = LocationFactory(wheelchair_accessible=True)
    steps = LocationFactory(wheelchair_accessible=False)
    sport = _programme("sport", "Sport", category="bewegen", location=accessible)
    tekenen = _programme("tekenen", "Tekenen", category="creatief", location=steps)
    tekenen.audiences = [ProgrammeAudience(audience="kinderen")]
    tekenen.languages = [ProgrammeLanguage(language="tr")]
    _programme("betaald", "Betaald", category="gezondheid", cost_cents=300, referral_required=True, location=accessible)
    SessionFactory(programme=sport, starts_at=_next_weekday(1, 10))
    SessionFactory(programme=tekenen, starts_at=_next_weekday(2, 19))
    db.session.commit()
    html = client.get(f"/nl/programmes?{query}").get_data(as_text=True)
    assert {t.lower() for t in _titles(html)} == expected


def test_past_and_cancelled_sessions_do_not_count_for_day_filters(client):
    programme = _programme("oud", "Oud")
    SessionFactory(programme=programme, starts_at=_next_weekday(1, 10) - timedelta(days=7 * 4), status="scheduled")
    SessionFactory(programme=programme, starts_at=_next_weekday(1, 10), status="cancelled")
    db.session.commit()
    assert _titles(client.get("/nl/programmes?day=tue").get_data(as_text=True)) == []


def test_unknown_filter_values_are_ignored_with_a_notice(client):
    _programme("a", "Sport", category="bewegen")
    db.session.commit()
    html = client.get("/nl/programmes?category=toveren&category=bewegen&day=maandag&cost=gratis").get_data(as_text=True)
    assert _titles(html) == ["Sport"]
    assert "category=toveren" in html and "day=maandag" in html and "cost=gratis" in html
    assert "weggelaten" in html


def test_programmes_without_sessions_still_show_and_are_marked(client):
    _programme("leeg", "Zonder data")
    db.session.commit()
    html = client.get("/nl/programmes").get_data(as_text=True)
    assert _titles(html) == ["Zonder data"]
    assert "Nog geen datums gepland" in html


def test_only_published_programmes_are_listed(client):
    _programme("ja", "Gepubliceerd")
    _programme("nee", "Concept", status="draft")
    _programme("weg", "Gearchiveerd", status="archived")
    db.session.commit()
    assert _titles(client.get("/nl/programmes").get_data(as_text=True)) == ["Gepubliceerd"]


def test_pagination_keeps_the_filters_and_the_order_is_stable(client):
    for n in range(23):
        _programme(f"p{n:02d}", f"Sport {n:02d}", category="bewegen")
    _programme("anders", "Anders", category="creatief")
    db.session.commit()
    first = client.get("/nl/programmes?category=bewegen").get_data(as_text=True)
    second = client.get("/nl/programmes?category=bewegen&page=2").get_data(as_text=True)
    assert _count(first).startswith("23 ")
    assert _titles(first) == [f"Sport {n:02d}" for n in range(20)]
    assert _titles(second) == ["Sport 20", "Sport 21", "Sport 22"]
    assert 'href="/nl/programmes?category=bewegen&amp;page=2"' in first


@pytest.mark.parametrize("page", ["0", "-1", "abc", "", "1e3", "９", "99999999"])
def test_odd_page_values_fall_back(client, page):
    _programme("a", "Een")
    db.session.commit()
    response = client.get("/nl/programmes", query_string={"page": page})
    assert response.status_code == 200
    assert _titles(response.get_data(as_text=True)) == ["Een"]


def test_empty_result_says_what_to_try(client):
    _programme("a", "Een", category="bewegen")
    db.session.commit()
    html = client.get("/nl/programmes?q=zzzz&category=creatief").get_data(as_text=True)
    assert _titles(html) == []
    assert "Geen activiteiten gevonden" in html
    assert 'href="/nl/programmes"' in html


def test_list_and_map_link_to_each_other_keeping_the_filters(client):
    db.session.commit()
    listing = client.get("/nl/programmes?q=wandelen&day=tue&time=morning&cost=free").get_data(as_text=True)
    assert 'href="/nl/map?q=wandelen&amp;day=tue&amp;time=morning&amp;cost=free"' in listing
    the_map = client.get("/nl/map?q=wandelen&day=tue&time=morning&cost=free").get_data(as_text=True)
    assert 'href="/nl/programmes?q=wandelen&amp;day=tue&amp;time=morning&amp;cost=free"' in the_map


def test_statements_do_not_grow_with_the_number_of_results(client):
    def statements(n: int) -> int:
        for i in range(n):
            programme = _programme(f"s{n}-{i}", f"Sport {n} {i}", category="bewegen")
            SessionFactory(programme=programme)
        db.session.commit()
        with count_queries() as sent:
            assert client.get("/nl/programmes?q=sport&category=bewegen").status_code == 200
        return len(sent)

    assert statements(2) == statements(18)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(
            ["q", "category", "audience", "day", "time", "cost", "referral", "wheelchair", "language", "page", "x"]
        ),
        st.text(max_size=40),
        max_size=6,
    )
)
def test_any_combination_of_parameters_never_fails(client, params):
    for path in ("/nl/programmes", "/ar/map"):
        expected = 400 if any("\x00" in key + value for key, value in params.items()) else 200  # NUL: refused
        assert client.get(path, query_string=params).status_code == expected
    feed = client.get("/api/v1/map/locations.geojson", query_string=params | {"lang": "tr"})
    assert feed.status_code == expected

"""Route-map pages: overview, steps, the selector and why offers fit, bad input, sanitising, bounded SQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
import yaml
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.models import Programme
from portal.services.routekaarten.model import DIMENSIONS, Offer, Translations
from portal.services.routekaarten.selector import fit_offer, parse_selection
from portal.services.seed.demo import load_demo
from tests.conftest import base_config
from tests.factories import ProgrammeFactory, SessionFactory
from tests.support.queries import count_queries

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "content" / "routekaarten"
DEMO = ROOT / "content" / "demo"
LANGUAGES = ("nl", "en", "tr", "ar")
GP_CHOICE = "?gezondheidsvaardigheden=laag&motivatie=midden"
GP_FITTING = {"beweegconsult", "in-beweging", "diabetes-challenge", "wandelgroep-park-de-gagel", "in-beeld"}
GP_NOT_FITTING = {"sterk-en-stabiel", "lessen-in-geluk"}
MEER_BEWEGEN = yaml.safe_load((SHIPPED / "meer-bewegen.yaml").read_text(encoding="utf-8"))
VITALE_KINDEREN = yaml.safe_load((SHIPPED / "vitale-kinderen.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def demo(app):
    """The demo neighbourhood (programmes, sessions, organisations) in the test database."""
    load_demo(DEMO, date.today())


def _between(html: str, start: str, end: str) -> str:
    """The part of `html` from the first `start` to the next `end` (or the end)."""
    begin = html.index(start)
    stop = html.find(end, begin)
    return html[begin : stop if stop != -1 else len(html)]


def _programme_links(fragment: str, lang: str) -> set[str]:
    return set(re.findall(rf'href="/{lang}/programmes/([a-z0-9-]+)"', fragment))


def _reason(slug: str, dimension: str, lang: str) -> str:
    offers = next(step["offers"] for step in MEER_BEWEGEN["steps"] if "offers" in step)
    return next(offer for offer in offers if offer["programme"] == slug)["reasons"][dimension][lang]


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels: list[int] = []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))


# --------------------------------------------------------------------------- overview and page structure


@pytest.mark.parametrize("lang", LANGUAGES)
def test_overview_lists_both_maps_with_summary_and_audience(client, demo, lang):
    response = client.get(f"/{lang}/routekaarten")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for data, slug in ((MEER_BEWEGEN, "meer-bewegen"), (VITALE_KINDEREN, "vitale-kinderen")):
        assert f'href="/{lang}/routekaarten/{slug}"' in html
        for key in ("title", "summary", "audience"):
            assert escape(data[key][lang]) in html, (lang, key)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", ["meer-bewegen", "vitale-kinderen"])
def test_route_map_page_in_every_language(client, demo, lang, slug):
    data = MEER_BEWEGEN if slug == "meer-bewegen" else VITALE_KINDEREN
    response = client.get(f"/{lang}/routekaarten/{slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}"' in html
    assert escape(data["title"][lang]) in html and escape(data["illustrative_note"][lang]) in html
    route = _between(html, '<ol class="wp-route"', "</ol>\n  </section>")
    assert route.count('<li class="wp-route__step') == 5
    for step in data["steps"]:
        assert f'id="step-{step["id"]}"' in route
        assert escape(step["title"][lang]) in route
        for role in step.get("roles", []):
            assert escape(role["name"][lang]) in route
    assert 'lang="nl"' not in route  # nothing fell back to Dutch: the content is complete
    parser = _Headings()
    parser.feed(html)
    assert parser.levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(parser.levels, parser.levels[1:], strict=False)), parser.levels


def test_roles_show_the_neighbourhoods_organisations_and_how_to_reach_them(client, demo):
    html = client.get("/nl/routekaarten/meer-bewegen").get_data(as_text=True)
    noticing = _between(html, 'id="step-signaleren"', 'id="step-gesprek"')
    for name in ("Huisartsenpraktijk Zamenhof", "Huisartsenpraktijk De Gagel", "Fysiotherapie Tigris"):
        assert name in noticing
    assert 'href="tel:0300000104"' in noticing  # Buurtteam Overvecht Sociaal
    assert "Jeugd &amp; Gezin" not in html  # the role names one buurtteam, not every buurtteam
    kinderen = client.get("/nl/routekaarten/vitale-kinderen").get_data(as_text=True)
    assert "Jeugdgezondheidszorg Overvecht" in _between(kinderen, 'id="step-signaleren"', 'id="step-gesprek"')


def test_offers_show_live_title_next_date_and_free_places(client, demo):
    html = client.get("/en/routekaarten/meer-bewegen").get_data(as_text=True)
    offers = _between(html, '<ul class="wp-offers__list"', "</ul>\n            ")
    assert _programme_links(offers, "en") == GP_FITTING | GP_NOT_FITTING
    assert "Walking group Park de Gagel" in offers  # the programme's English title from the database
    assert offers.count("<time datetime=") == 7
    assert "30 places free" in offers and "1 place free" in offers
    assert "No levels chosen: all offers are shown." in html


# --------------------------------------------------------------------------- the selector


def test_the_gp_choice_narrows_the_offers_and_explains_why(client, demo):
    html = client.get(f"/nl/routekaarten/meer-bewegen{GP_CHOICE}").get_data(as_text=True)
    fitting = _between(html, '<ul class="wp-offers__list"', '<details class="wp-offers__other"')
    other = _between(html, '<details class="wp-offers__other"', "</details>")
    assert _programme_links(fitting, "nl") == GP_FITTING
    assert _programme_links(other, "nl") == GP_NOT_FITTING
    assert fitting.count("<time datetime=") == len(GP_FITTING)
    for slug in GP_FITTING:
        for dimension in ("gezondheidsvaardigheden", "motivatie"):
            assert escape(_reason(slug, dimension, "nl")) in fitting, (slug, dimension)
        assert escape(_reason(slug, "zelfredzaamheid", "nl")) not in fitting  # not chosen, so not explained
    assert 'id="gezondheidsvaardigheden-laag" name="gezondheidsvaardigheden" value="laag" checked' in html
    assert 'id="motivatie-midden" name="motivatie" value="midden" checked' in html
    assert 'id="zelfredzaamheid-any" name="zelfredzaamheid" value="" checked' in html
    assert escape(MEER_BEWEGEN["no_fit"]["nl"]) in html  # what to do when none of these suits


def test_the_same_choice_in_arabic_for_the_resident(client, demo):
    html = client.get(f"/ar/routekaarten/meer-bewegen{GP_CHOICE}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in html
    fitting = _between(html, '<ul class="wp-offers__list"', '<details class="wp-offers__other"')
    assert _programme_links(fitting, "ar") == GP_FITTING
    assert escape(_reason("in-beweging", "gezondheidsvaardigheden", "ar")) in fitting
    switch = re.search(r'href="(/nl/routekaarten/meer-bewegen\?[^"]+)"', html).group(1)
    assert "gezondheidsvaardigheden=laag" in switch and "motivatie=midden" in switch


def test_when_nothing_fits_the_page_says_what_to_do_instead(client, demo):
    html = client.get(
        "/en/routekaarten/meer-bewegen?zelfredzaamheid=laag&gezondheidsvaardigheden=hoog&motivatie=hoog"
    ).get_data(as_text=True)
    assert '<ul class="wp-offers__list"' not in html
    none = _between(html, '<p class="wp-offers__none">', "</p>")
    assert "No offer fits this choice." in none and escape(MEER_BEWEGEN["no_fit"]["en"]) in none
    assert "7 offers do not fit this choice" in html


def test_the_selector_is_a_real_get_form_with_fieldsets_and_labels(client, demo):
    html = client.get("/en/routekaarten/vitale-kinderen").get_data(as_text=True)
    form = _between(html, '<form class="wp-selector__form"', "</form>")
    assert 'method="get"' in form and 'action="/en/routekaarten/vitale-kinderen#step-aanbod"' in form
    assert form.count("<fieldset") == 3 and form.count("<legend") == 3
    for dimension in DIMENSIONS:
        for value in ("any", "laag", "midden", "hoog"):
            assert f'id="{dimension}-{value}"' in form and f'for="{dimension}-{value}"' in form
    assert '<button class="wp-button" type="submit">' in form
    assert "style=" not in html and "<script" not in html


@pytest.mark.parametrize(
    ("args", "levels", "ignored"),
    [
        ({}, {}, ()),
        ({"motivatie": [""]}, {}, ()),
        ({"motivatie": [" Hoog "]}, {"motivatie": "hoog"}, ()),
        ({"motivatie": ["laag", "laag"]}, {"motivatie": "laag"}, ()),
        ({"motivatie": ["laag", "hoog"]}, {"motivatie": "laag"}, (("motivatie", "hoog"),)),
        ({"gezondheidsvaardigheden": ["zeer-hoog"]}, {}, (("gezondheidsvaardigheden", "zeer-hoog"),)),
        ({"zelfredzaamheid": ["x" * 100]}, {}, (("zelfredzaamheid", "x" * 39 + "…"),)),
        ({"utm_source": ["mail"], "motivation": ["laag"]}, {}, ()),
    ],
)
def test_parse_selection(args, levels, ignored):
    selection = parse_selection(args)
    assert dict(selection.levels) == levels
    assert selection.ignored == ignored


def test_an_offer_fits_when_it_suits_every_chosen_level(app):
    reasons = {
        dimension: Translations({"nl": f"Reden {dimension}", "en": f"Reason {dimension}"}) for dimension in DIMENSIONS
    }
    offer = Offer(
        "in-beweging",
        {
            "zelfredzaamheid": ("laag",),
            "gezondheidsvaardigheden": ("laag", "midden"),
            "motivatie": ("laag", "midden", "hoog"),
        },
        reasons,
    )
    fit = fit_offer(offer, parse_selection({"gezondheidsvaardigheden": ["laag"], "motivatie": ["hoog"]}), "en")
    assert fit.fits and [reason.reason.text for reason in fit.reasons] == [
        "Reason gezondheidsvaardigheden",
        "Reason motivatie",
    ]
    with force_locale("en"):  # the label is lazy: it speaks the language of the page that shows it
        assert str(fit.reasons[0].label) == "Suits low health literacy"
    miss = fit_offer(offer, parse_selection({"zelfredzaamheid": ["hoog"], "motivatie": ["laag"]}), "tr")
    assert not miss.fits and len(miss.misses) == 1 and len(miss.reasons) == 1
    assert miss.reasons[0].reason.lang == "nl"  # no Turkish reason: Dutch, marked as such
    assert fit_offer(offer, parse_selection({}), "nl").fits


# --------------------------------------------------------------------------- bad input


def test_unknown_selector_values_are_ignored_with_an_escaped_notice(client, demo):
    response = client.get("/en/routekaarten/meer-bewegen?gezondheidsvaardigheden=zeer-hoog&motivatie=<script>")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    notice = _between(html, '<div class="wp-selector__ignored" role="status">', "</div>")
    assert "were not understood" in notice
    assert "gezondheidsvaardigheden=zeer-hoog" in notice and "motivatie=&lt;script&gt;" in notice
    assert "<script" not in html
    assert "No levels chosen: all offers are shown." in html


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", ["bestaat-niet", "MEER-BEWEGEN", "%3Cscript%3E", "meer-bewegen.yaml"])
def test_an_unknown_route_map_is_a_localised_404(client, lang, slug):
    response = client.get(f"/{lang}/routekaarten/{slug}")
    assert response.status_code == 404
    assert f'<html lang="{lang}"' in response.get_data(as_text=True)


_query_values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
_query_keys = st.sampled_from([*DIMENSIONS, "lang", "slug", "page", "x"]) | _query_values


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_query_keys, _query_values), max_size=6))
def test_any_query_string_gives_the_page_never_a_500(client, pairs):
    response = client.get("/nl/routekaarten/meer-bewegen", query_string=pairs)
    has_nul = any("\x00" in key or "\x00" in value for key, value in pairs)
    assert response.status_code == (400 if has_nul else 200)  # NUL bytes are refused up front
    assert "<script" not in response.get_data(as_text=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=80))
def test_any_raw_query_bytes_give_the_page_never_a_500(client, raw):
    query = "motivatie=" + quote_from_bytes(raw, safe="=&%+")
    response = client.get("/ar/routekaarten/vitale-kinderen?" + query)
    assert response.status_code == (400 if "%00" in query or "\x00" in query else 200)


# --------------------------------------------------------------------------- content from files is sanitised


@pytest.fixture
def content_app(make_app, tmp_path):
    """content_app({file name: data}): an app reading only these route-map files."""

    def _make(files: dict[str, dict]):
        target = tmp_path / "content" / "routekaarten"
        target.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (target / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return make_app(target.parent)

    yield _make


def test_script_in_a_content_file_is_shown_inert(content_app, tmp_path):
    data = yaml.safe_load((SHIPPED / "meer-bewegen.yaml").read_text(encoding="utf-8"))
    data["title"]["nl"] = "Bewegen <script>alert('titel')</script>"
    data["steps"][0]["text"]["nl"] = "**Let op** <script>alert(1)</script> [link](javascript:alert(2))"
    data["steps"][0]["roles"][0]["name"]["nl"] = "<img src=x onerror=alert(3)>"
    data["steps"][3]["offers"][0]["reasons"]["motivatie"]["nl"] = "<b onclick=alert(4)>reden</b>"
    data["intro"]["nl"] = "<iframe src=https://example.org></iframe> _welkom_"
    new = content_app({"xss.yaml": data})
    with new.app_context():
        load_demo(DEMO, date.today())
    html = new.test_client().get("/nl/routekaarten/xss?motivatie=laag").get_data(as_text=True)
    assert "<script" not in html and "<iframe" not in html and "<img src=x" not in html and "<b onclick" not in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, inert
    assert "Bewegen &lt;script&gt;" in html
    assert "<strong>Let op</strong>" in html and "<em>welkom</em>" in html  # Markdown still works


# --------------------------------------------------------------------------- live data


def test_unpublished_programmes_are_left_out_and_full_sessions_say_so(client, demo):
    in_beeld = db.session.scalar(select(Programme).where(Programme.slug == "in-beeld"))
    in_beeld.status = "draft"
    for session in db.session.scalar(select(Programme).where(Programme.slug == "beweegconsult")).sessions:
        session.booked = session.capacity
    db.session.commit()
    html = client.get("/en/routekaarten/meer-bewegen").get_data(as_text=True)
    offers = _between(html, '<ul class="wp-offers__list"', "</ul>\n            ")
    assert "in-beeld" not in _programme_links(offers, "en")
    beweegconsult = _between(offers, 'href="/en/programmes/beweegconsult"', "</article>")
    assert '<dd class="wp-offer__places">Full</dd>' in beweegconsult


def test_the_route_still_shows_when_the_database_is_down(tmp_path):
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"
    app = create_app(base_config(tmp_path) | {"SQLALCHEMY_DATABASE_URI": unreachable, "PROPAGATE_EXCEPTIONS": False})
    response = app.test_client().get("/en/routekaarten/meer-bewegen?motivatie=laag")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert escape(MEER_BEWEGEN["steps"][0]["title"]["en"]) in html
    assert "cannot be reached right now" in html


def _bulk_map(slugs: list[str]) -> dict:
    data = yaml.safe_load((SHIPPED / "meer-bewegen.yaml").read_text(encoding="utf-8"))
    template = data["steps"][3]["offers"][0]
    data["steps"][3]["offers"] = [{**template, "programme": slug} for slug in slugs]
    for step in data["steps"]:  # keep the roles that name a kind, not demo organisations
        step["roles"] = [role for role in step.get("roles", []) if "organisations" not in role]
    return data


def test_sql_statements_do_not_grow_with_the_number_of_offers(content_app, tmp_path):
    programmes = [ProgrammeFactory(texts={"en": f"Programme {n}"}) for n in range(12)]
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    for programme in programmes:
        SessionFactory(programme=programme, starts_at=soon)
        SessionFactory(programme=programme, starts_at=soon + timedelta(days=7))
    slugs = [programme.slug for programme in programmes]
    db.session.commit()
    new = content_app({"twee.yaml": _bulk_map(slugs[:2]), "twaalf.yaml": _bulk_map(slugs)})
    client = new.test_client()
    counts = {}
    for slug in ("twee", "twaalf"):
        client.get(f"/en/routekaarten/{slug}")  # warm up
        with new.app_context(), count_queries() as statements:
            html = client.get(f"/en/routekaarten/{slug}?motivatie=laag").get_data(as_text=True)
        counts[slug] = len(statements)
        assert html.count('<article class="wp-offer">') == (2 if slug == "twee" else 12)
    assert counts["twee"] == counts["twaalf"] <= 8, counts


def test_a_single_demo_page_needs_few_statements(client, demo):
    with count_queries() as statements:
        assert client.get(f"/nl/routekaarten/meer-bewegen{GP_CHOICE}").status_code == 200
    assert len(statements) <= 8, statements


def test_the_overview_counts_only_published_offers(client, demo):
    assert "7 offers" in client.get("/en/routekaarten").get_data(as_text=True)
    programme = db.session.scalar(select(Programme).where(Programme.slug == "wandelgroep-park-de-gagel"))
    programme.status = "archived"
    db.session.commit()
    html = client.get("/en/routekaarten").get_data(as_text=True)
    assert "6 offers" in html and "7 offers" not in html
    page = client.get("/en/routekaarten/meer-bewegen").get_data(as_text=True)
    assert "Walking group Park de Gagel" not in page


def test_the_arabic_choice_and_counts_are_joined_the_arabic_way(client, demo):
    """No Latin ", " or "; " between translated parts: join_list uses the reader's list pattern."""
    html = client.get(f"/ar/routekaarten/meer-bewegen{GP_CHOICE}").get_data(as_text=True)
    summary = _between(html, '<p class="wp-offers__summary">', "</p>")
    assert "; " not in summary and " و" in summary
    overview = client.get("/ar/routekaarten").get_data(as_text=True)
    assert re.search(r"<dd>[^<,]* و[^<,]*</dd>", overview)

"""A GP in the consulting room: open Meer Bewegen, choose levels, get the fitting offers with dates, in Dutch and
for the resident in Arabic; axe-core in all four languages; the printed route map fits one A4 page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

LANGUAGES = ("nl", "en", "tr", "ar")
GP_CHOICE = "?gezondheidsvaardigheden=laag&motivatie=midden"
GP_FITTING_NL = {"Beweegconsult", "In Beweging", "Diabetes Challenge", "Wandelgroep Park de Gagel", "In Beeld"}
A4_PRINTABLE_WIDTH_PX = 710  # 210 mm minus 2 × 11 mm margins, at 96 dpi
A4_PRINTABLE_HEIGHT_PX = 1062  # 297 mm minus 2 × 8 mm margins, at 96 dpi
PRINT_CASES = [
    ("meer-bewegen", ""),
    ("meer-bewegen", GP_CHOICE),
    ("vitale-kinderen", ""),
    ("vitale-kinderen", "?zelfredzaamheid=laag&gezondheidsvaardigheden=laag&motivatie=laag"),
]
MEER_BEWEGEN = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "content" / "routekaarten" / "meer-bewegen.yaml").read_text(encoding="utf-8")
)


def _reason(slug: str, dimension: str, lang: str) -> str:
    offers = next(step["offers"] for step in MEER_BEWEGEN["steps"] if "offers" in step)
    return next(offer for offer in offers if offer["programme"] == slug)["reasons"][dimension][lang]


def test_gp_chooses_levels_and_gets_fitting_offers_then_shows_them_in_arabic(
    page, live_server, assert_accessible, console_errors
):
    page.goto(f"{live_server}/nl/routekaarten")
    page.locator(".wp-routekaart-list a[href='/nl/routekaarten/meer-bewegen']").click()
    expect(page).to_have_url(f"{live_server}/nl/routekaarten/meer-bewegen")
    expect(page.locator(".wp-offers__list .wp-offer")).to_have_count(7)

    page.locator("label[for='gezondheidsvaardigheden-laag']").click()
    page.locator("label[for='motivatie-midden']").click()
    page.locator(".wp-selector__form button[type='submit']").click()

    expect(page).to_have_url(
        re.compile(r"/nl/routekaarten/meer-bewegen\?.*gezondheidsvaardigheden=laag.*#step-aanbod$")
    )
    assert "motivatie=midden" in page.url
    offers = page.locator(".wp-offers__list .wp-offer")
    expect(offers).to_have_count(len(GP_FITTING_NL))
    assert set(page.locator(".wp-offers__list .wp-offer__title a").all_inner_texts()) == GP_FITTING_NL
    for index in range(len(GP_FITTING_NL)):
        offer = offers.nth(index)
        expect(offer.locator(".wp-offer__facts time")).to_have_count(1)
        expect(offer.locator(".wp-offer__why li")).to_have_count(2)
    in_beweging = page.locator(".wp-offer", has=page.locator("a[href='/nl/programmes/in-beweging']"))
    expect(in_beweging).to_contain_text(_reason("in-beweging", "gezondheidsvaardigheden", "nl"))
    expect(page.locator(".wp-offers__list")).not_to_contain_text("Sterk en Stabiel")
    expect(page.locator(".wp-offers__other")).to_contain_text("Sterk en Stabiel")
    assert_accessible(page)

    page.get_by_role("link", name="العربية").click()
    expect(page).to_have_url(re.compile(r"/ar/routekaarten/meer-bewegen\?"))
    assert "gezondheidsvaardigheden=laag" in page.url and "motivatie=midden" in page.url
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#gezondheidsvaardigheden-laag")).to_be_checked()
    expect(page.locator("#motivatie-midden")).to_be_checked()
    expect(page.locator(".wp-offers__list .wp-offer")).to_have_count(len(GP_FITTING_NL))
    expect(page.locator(".wp-offers__list")).to_contain_text(_reason("in-beweging", "gezondheidsvaardigheden", "ar"))
    expect(page.locator(".wp-offers__list time").first).to_be_visible()
    page.wait_for_load_state("load")
    assert_accessible(page)
    assert console_errors == []


def test_the_selector_works_with_the_keyboard(page, live_server):
    page.goto(f"{live_server}/en/routekaarten/vitale-kinderen")
    page.locator("#motivatie-any").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#motivatie-laag")).to_be_checked()
    page.locator(".wp-selector__form button[type='submit']").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"motivatie=laag"))
    expect(page.locator(".wp-offers__summary")).to_contain_text("Motivation: Low")
    page.wait_for_load_state("load")  # let the images finish: leaving earlier drops their requests


@pytest.mark.parametrize("lang", LANGUAGES)
def test_route_map_pages_are_accessible(page, live_server, lang, assert_accessible, console_errors):
    paths = [
        f"/{lang}/routekaarten",
        f"/{lang}/routekaarten/meer-bewegen",
        f"/{lang}/routekaarten/meer-bewegen{GP_CHOICE}",
        f"/{lang}/routekaarten/meer-bewegen?zelfredzaamheid=laag&gezondheidsvaardigheden=hoog&motivatie=hoog",
        f"/{lang}/routekaarten/vitale-kinderen?gezondheidsvaardigheden=zeer-hoog&motivatie=<script>",
    ]
    for path in paths:
        page.goto(live_server + path)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        page.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")
        assert_accessible(page)
    expect(page.locator(".wp-selector__ignored")).to_contain_text("zeer-hoog")
    assert console_errors == []
    response = page.goto(f"{live_server}/{lang}/routekaarten/bestaat-niet")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert_accessible(page)


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_printed_route_map_fits_one_a4_page(page, live_server, lang):
    page.set_viewport_size({"width": A4_PRINTABLE_WIDTH_PX, "height": A4_PRINTABLE_HEIGHT_PX})
    for slug, query in PRINT_CASES:
        page.goto(f"{live_server}/{lang}/routekaarten/{slug}{query}")
        page.emulate_media(media="print")
        expect(page.locator(".wp-selector")).to_be_hidden()
        expect(page.locator(".wp-nav")).to_be_hidden()
        expect(page.locator(".wp-route__step")).to_have_count(5)
        height = page.locator(".wp-routekaart").evaluate("article => article.getBoundingClientRect().height")
        assert height <= A4_PRINTABLE_HEIGHT_PX, (slug, query, height)
        assert _pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) == 1, (slug, query)
        page.emulate_media(media="screen")

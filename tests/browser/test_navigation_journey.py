"""First journey: open /, switch to Arabic, follow the navigation; axe-core on every page, all languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

LANGUAGES = {"nl": "Nederlands", "en": "English", "tr": "Türkçe", "ar": "العربية"}


def _nav_links(page) -> list[str]:
    return page.locator("nav.wp-nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def test_open_root_switch_to_arabic_and_follow_navigation(page, live_server, assert_accessible, console_errors):
    page.set_extra_http_headers({"Accept-Language": "nl-NL,nl;q=0.9"})
    page.goto(live_server + "/")
    expect(page).to_have_url(live_server + "/nl/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("header")).to_contain_text("Overvecht")

    page.get_by_role("link", name="العربية").click()
    expect(page).to_have_url(live_server + "/ar/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    links = _nav_links(page)
    assert len(links) >= 3
    for href in links:
        page.goto(live_server + href)
        assert page.url.startswith(live_server + "/ar/")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("h1")).to_be_visible()
        current = page.locator("nav.wp-nav a[aria-current='page']")
        expect(current).to_have_count(1)
        expect(current).to_have_attribute("href", href)
        page.wait_for_load_state("networkidle")  # the map page loads Leaflet when it shows; let it finish

    # The switcher keeps the page: from the Arabic list back to Dutch lands on the Dutch list.
    page.goto(live_server + "/ar/programmes")
    page.get_by_role("link", name="Nederlands").click()
    expect(page).to_have_url(live_server + "/nl/programmes")
    assert console_errors == []


def test_skip_link_moves_focus_to_main(page, live_server):
    page.goto(live_server + "/en/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def _let_the_map_load(page) -> None:
    """A page's map loads when it comes into view; wait until it has its markers before leaving the page.

    Leaving earlier aborts the map's GeoJSON request, which the console_errors fixture rightly reports."""
    for holder in page.locator(".wp-map").all():
        holder.scroll_into_view_if_needed()
        expect(holder).to_have_attribute("data-map-ready", "true")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_top_level_page_is_accessible(page, live_server, lang, assert_accessible, console_errors):
    page.goto(f"{live_server}/{lang}/")
    pages = [f"/{lang}/", *_nav_links(page)]
    first_programme = page.locator(".wp-card__title a").first.get_attribute("href")
    pages.append(first_programme)
    for path in dict.fromkeys(pages):
        page.goto(live_server + path)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert_accessible(page)
        _let_the_map_load(page)
    assert console_errors == []

    response = page.goto(f"{live_server}/{lang}/does-not-exist")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert_accessible(page)

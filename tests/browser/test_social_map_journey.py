"""A resident searches 'bewegen', filters on free Thursday mornings, sees it on the map in Turkish, opens it."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_search_filter_map_and_programme_page_in_turkish(page, live_server, assert_accessible, console_errors):
    page.goto(f"{live_server}/tr/programmes")
    assert_accessible(page)
    page.locator("#q").fill("bewegen")
    page.locator("summary.wp-filters__summary").click()
    page.locator("input[name=day][value=thu]").check()
    page.locator("input[name=time][value=morning]").check()
    page.locator("input[name=cost][value=free]").check()
    page.locator("form.wp-search button[type=submit]").last.click()

    expect(page).to_have_url(re.compile(r"q=bewegen.*day=thu.*time=morning.*cost=free"))
    cards = page.locator(".wp-results .wp-card__title a")
    expect(cards).to_have_count(1)
    expect(cards.first).to_have_text("Park de Gagel yürüyüş grubu")
    expect(page.locator(".wp-active-filters .wp-tag")).to_have_count(4)
    assert_accessible(page)

    page.locator("a.wp-link-icon[href*='/tr/map']").click()
    expect(page).to_have_url(re.compile(r"/tr/map\?q=bewegen&day=thu&time=morning&cost=free"))
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    page.locator(".wp-map").scroll_into_view_if_needed()  # the map loads when it comes into view
    expect(page.locator(".wp-map")).to_have_attribute("data-map-ready", "true")
    marker = page.locator(".leaflet-marker-icon")
    expect(marker).to_have_count(1)
    expect(page.locator(".wp-places__item")).to_have_count(1)
    assert_accessible(page)

    marker.click()
    popup_link = page.locator(".leaflet-popup-content a")
    expect(popup_link).to_have_text("Park de Gagel yürüyüş grubu")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Perşembe")
    popup_link.click()

    expect(page).to_have_url(f"{live_server}/tr/programmes/wandelgroep-park-de-gagel")
    expect(page.locator("h1")).to_contain_text("Park de Gagel yürüyüş grubu")
    page.locator(".wp-map--small").scroll_into_view_if_needed()
    expect(page.locator(".wp-map--small .leaflet-marker-icon")).to_have_count(1)
    assert_accessible(page)
    assert console_errors == []


def test_the_map_clusters_all_locations_and_works_in_arabic(page, live_server, assert_accessible, console_errors):
    page.goto(f"{live_server}/ar/map")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator(".wp-map").scroll_into_view_if_needed()
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    places = page.locator(".wp-places__item").count()
    assert places >= 8
    assert_accessible(page)
    assert console_errors == []


def test_list_and_map_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/nl/map?category=bewegen")
    expect(page.locator(".wp-places__item").first).to_be_visible()
    page.goto(f"{live_server}/nl/programmes?q=wandelen")
    expect(page.locator(".wp-results .wp-card").first).to_be_visible()
    context.close()

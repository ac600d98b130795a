"""The map asks the feed for the places in view: a snapped box on every move, a place's programmes on opening it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from portal.services.social_map.map_box import parse_box, snap


def _boxes(requests: list[str]) -> list[str]:
    return [parse_qs(urlsplit(url).query)["bbox"][0] for url in requests if "bbox=" in url]


def test_the_map_loads_the_places_in_view_and_a_popup_on_demand(page, live_server, assert_accessible, console_errors):
    feed = []
    page.on("request", lambda request: feed.append(request.url) if "locations.geojson" in request.url else None)
    page.goto(f"{live_server}/tr/map?category=bewegen")
    page.locator(".wp-map").scroll_into_view_if_needed()
    expect(page.locator(".wp-map")).to_have_attribute("data-map-ready", "true")
    markers = page.locator(".leaflet-marker-icon")
    expect(markers.first).to_be_visible()
    assert "bbox=" not in feed[0] and "category=bewegen" in feed[0]  # first the neighbourhood, as before

    # Far away: the map asks for that box (once it stops moving), and no place of the neighbourhood is in it.
    with page.expect_response(lambda response: "bbox=" in response.url):
        page.evaluate("window.map_wijkmap.setView([52.37, 4.89], 15, {animate: false})")
    expect(markers).to_have_count(0)
    boxes = _boxes(feed)
    assert boxes, feed
    for value in boxes:  # the script snaps the box exactly as the server does, so caches see few boxes
        assert snap(parse_box(value)).query_value() == value

    page.evaluate("window.map_wijkmap.setView([52.116, 5.112], 14, {animate: false})")
    expect(markers.first).to_be_visible()
    page.wait_for_function("window.marker_cluster_wijkcluster.getLayers().length > 0")
    name = page.evaluate(
        """() => { const marker = window.marker_cluster_wijkcluster.getLayers()[0];
        window.map_wijkmap.setView(marker.getLatLng(), 19, {animate: false}); return marker.options.title; }"""
    )
    # Let the move's own box arrive first (250 ms debounce, then the feed), so the click meets settled markers.
    page.wait_for_load_state("networkidle")
    marker = page.locator(f".leaflet-marker-icon[title='{name}']")
    for _attempt in range(3):  # a click while the cluster re-draws its markers (late on a loaded machine) is lost
        marker.click()
        try:
            expect(page.locator(".leaflet-popup")).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            page.wait_for_load_state("networkidle")
    popup_link = page.locator(".leaflet-popup-content a").first
    expect(popup_link).to_have_attribute("href", re.compile(r"^/tr/programmes/"), timeout=15_000)
    assert any("location=" in url for url in feed)
    # Leaflet fades a popup in: axe must see it at full opacity, not mid-fade (a false contrast failure).
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    assert_accessible(page)
    assert console_errors == []


def test_a_marker_opens_its_popup_with_enter(page, live_server, console_errors):
    page.goto(f"{live_server}/nl/map")
    expect(page.locator(".wp-map")).to_have_attribute("data-map-ready", "true")
    name = page.evaluate(
        """() => { const marker = window.marker_cluster_wijkcluster.getLayers()[0];
        window.map_wijkmap.setView(marker.getLatLng(), 19, {animate: false}); return marker.options.title; }"""
    )
    page.wait_for_load_state("networkidle")
    page.locator(f".leaflet-marker-icon[title='{name}']").focus()
    page.keyboard.press("Enter")  # the popup is made on the first click or Enter, not for every marker up front
    expect(page.locator(".leaflet-popup-content h3")).to_have_text(name)
    expect(page.locator(".leaflet-popup-content a").first).to_have_attribute("href", re.compile(r"^/nl/programmes/"))
    assert console_errors == []


def test_the_map_fetches_tiles_only_for_its_fitted_view(page, live_server, console_errors):
    tiles = []
    page.on("request", lambda request: tiles.append(request.url) if "tile.openstreetmap.org" in request.url else None)
    page.goto(f"{live_server}/nl/map")
    expect(page.locator(".wp-map")).to_have_attribute("data-map-ready", "true")
    page.wait_for_load_state("networkidle")
    # Leaflet asks for the next zoom level's tiles on screens with more pixels (detectRetina).
    level = page.evaluate("window.map_wijkmap.getZoom() + (window.devicePixelRatio > 1 ? 1 : 0)")
    # The map is fitted to the neighbourhood before its tile layer is added: no tiles for the view before it.
    assert tiles and {int(urlsplit(url).path.split("/")[1]) for url in tiles} == {level}
    assert console_errors == []

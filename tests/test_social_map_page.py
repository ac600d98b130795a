"""The map page and its GeoJSON feed: same filters as the list, local assets, small page, hashed script."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest

from portal.extensions import db
from portal.services.social_map import map_locations
from tests.factories import LocationFactory, ProgrammeFactory, SessionFactory


def _setup():
    park = LocationFactory(name="Park de Gagel", latitude=52.123, longitude=5.127)
    hall = LocationFactory(name="Sporthal", latitude=52.114, longitude=5.108)
    walk = ProgrammeFactory(slug="wandelen", category="bewegen", location=park, texts={"tr": "Yürüyüş"})
    SessionFactory(programme=walk)
    ProgrammeFactory(slug="tekenen", category="creatief", location=hall)
    ProgrammeFactory(slug="concept", category="creatief", location=hall, status="draft")
    db.session.commit()


def test_map_page_lists_the_same_selection_as_text(client):
    _setup()
    html = client.get("/nl/map?category=bewegen").get_data(as_text=True)
    assert "Park de Gagel" in html and "Sporthal" not in html
    assert 'href="/nl/programmes/wandelen"' in html
    html = client.get("/nl/map").get_data(as_text=True)
    assert "Park de Gagel" in html and "Sporthal" in html and "concept" not in html


def _map_attributes(html: str) -> tuple[dict, str]:
    assets = json.loads(re.search(r'data-map-assets="([^"]+)"', html).group(1).replace("&#34;", '"'))
    init = re.search(r'data-map-init="([^"]+)"', html).group(1).replace("&amp;", "&")
    return assets, init


def test_map_page_has_no_inline_script_and_only_local_assets(client):
    _setup()
    response = client.get("/tr/map")
    html = response.get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#", "http://localhost/")), url
    assert re.findall(r"<script>", html) == []
    assets, init = _map_attributes(html)
    assert any("/static/vendor/leaflet-" in url for url in assets["scripts"])
    assert any("/static/vendor/leaflet.markercluster-" in url for url in assets["styles"])
    assert init.startswith("/map-init.js?") and "cluster=1" in init
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "sha256" not in csp
    assert "https://tile.openstreetmap.org" in csp


def test_map_init_script_is_folium_for_that_view(client):
    _setup()
    _, init = _map_attributes(client.get("/nl/map").get_data(as_text=True))
    response = client.get(init)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "L.map(" in body and "markerClusterGroup" in body and "detectRetina" in body
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in body
    assert "max-age" in response.headers["Cache-Control"]


def test_map_init_script_comes_in_two_parts_that_make_the_whole(client):
    _, init = _map_attributes(client.get("/nl/map").get_data(as_text=True))
    whole = client.get(init).get_data(as_text=True)
    own = client.get(f"{init}&part=map").get_data(as_text=True)
    layers = client.get(f"{init}&part=layers").get_data(as_text=True)
    assert "L.map(" in own and "tileLayer" not in own and "markerClusterGroup" not in own
    assert "L.map(" not in layers and "tileLayer" in layers and "markerClusterGroup" in layers
    assert re.sub(r"\s+", "", own + layers) == re.sub(r"\s+", "", whole)
    assert '"chunkInterval": 10' in layers  # a chunk of markers stays short on a slow phone too
    assert client.get(f"{init}&part=tiles").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "",
        "lat=52&lng=5",
        "lat=x&lng=5&zoom=3",
        "lat=91&lng=5&zoom=3",
        "lat=52&lng=5&zoom=40",
        "lat=nan&lng=5&zoom=3",
        "lat=52&lng=5&zoom=3&cluster=2",
        "lat=inf&lng=5&zoom=3",
    ],
)
def test_map_init_script_refuses_bad_views(client, query):
    assert client.get(f"/map-init.js?{query}").status_code == 400


def test_the_vendored_leaflet_files_are_served(client):
    html = client.get("/nl/map").get_data(as_text=True)
    assets, _ = _map_attributes(html)
    for url in [*assets["scripts"], *assets["styles"]]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.get_data()) > 500
        response.close()


def test_geojson_feed_has_the_filtered_locations_and_their_popups(client):
    _setup()
    response = client.get("/api/v1/map/locations.geojson?lang=tr&category=bewegen")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert "max-age" in response.headers["Cache-Control"] and response.headers["ETag"]
    data = json.loads(response.get_data())
    assert data["type"] == "FeatureCollection"
    (feature,) = data["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [5.127, 52.123]}
    assert feature["properties"] == {"name": "Park de Gagel"}  # the popup comes when the marker is opened
    popup = client.get(f"/api/v1/map/locations.geojson?lang=tr&category=bewegen&location={feature['id']}")
    (programme,) = json.loads(popup.get_data())["features"][0]["properties"]["programmes"]
    assert programme == {"title": "Yürüyüş", "lang": "tr", "url": "/tr/programmes/wandelen", "next": programme["next"]}
    assert programme["next"]


def test_geojson_feed_refuses_an_unknown_language(client):
    assert client.get("/api/v1/map/locations.geojson?lang=xx").status_code == 400


def test_map_page_stays_small_with_many_programmes(client):
    for n in range(120):
        location = LocationFactory()
        ProgrammeFactory(slug=f"p{n}", location=location)
    db.session.commit()
    html = client.get("/nl/map").get_data()
    assert len(html) < 150 * 1024
    assert html.count(b'class="wp-places__item"') == 25  # the text list is paged
    assert b"page=5" in html


def test_programme_page_has_a_small_map_and_json_ld(client):
    _setup()
    response = client.get("/en/programmes/wandelen")
    html = response.get_data(as_text=True)
    assert 'data-map-marker-lat="52.123"' in html
    assert "cluster=0" in _map_attributes(html)[1]
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "EventSeries" and data["location"]["geo"]["latitude"] == 52.123
    assert data["subEvent"][0]["@type"] == "Event" and data["subEvent"][0]["remainingAttendeeCapacity"] == 12


def test_json_ld_cannot_break_out_of_its_script(client):
    programme = ProgrammeFactory(slug="xss")
    programme.text("nl").title = "</script><script>alert(1)</script>"
    db.session.commit()
    html = client.get("/nl/programmes/xss").get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_the_unfiltered_map_list_statements_are_built_once_and_hold_nothing_of_a_request(app):
    """They are kept per process: a time or a visitor's words baked into them would be served to everyone."""
    statements = map_locations._unfiltered_page_statements()
    assert statements is map_locations._unfiltered_page_statements()
    points = map_locations._unfiltered_points_statement()
    for statement in (statements.counts, statements.places, statements.programmes, points):
        values = statement.compile().params.values()
        assert not any(isinstance(value, datetime | date) for value in values), values


def test_map_page_pages_through_the_places_and_shows_next_dates(client):
    for n in range(30):
        programme = ProgrammeFactory(slug=f"p{n:02d}", location=LocationFactory(name=f"Plek {n:02d}"))
        if n == 26:
            SessionFactory(programme=programme)
    db.session.commit()
    first = client.get("/nl/map").get_data(as_text=True)
    second = client.get("/nl/map?page=2").get_data(as_text=True)
    assert "Plek 00" in first and "Plek 24" in first and "Plek 25" not in first
    assert "Plek 25" in second and "Plek 29" in second and "Plek 24" not in second
    dated = second.split('href="/nl/programmes/p26"')[1].split("</li>")[0]
    undated = second.split('href="/nl/programmes/p27"')[1].split("</li>")[0]
    assert "Nog geen datums gepland" in undated and "Nog geen datums gepland" not in dated
    assert re.search(r"(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d+ \w+, \d\d:\d\d", dated)


def test_map_page_past_the_last_shows_the_last_page_with_the_counts(client):
    for n in range(30):
        ProgrammeFactory(slug=f"p{n:02d}", location=LocationFactory(name=f"Plek {n:02d}"))
    db.session.commit()
    for page in ("3", "999999"):
        html = client.get(f"/nl/map?page={page}").get_data(as_text=True)
        assert "Plek 25" in html and "Plek 29" in html and "Plek 24" not in html, page
        assert "30 activiteiten" in html and "30 plekken" in html, page
    nothing = client.get("/nl/map?q=xyzzy&page=2").get_data(as_text=True)
    assert "wp-places__item" not in nothing and "Geen activiteiten gevonden" in nothing

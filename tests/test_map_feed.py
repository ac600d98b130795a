"""The map's GeoJSON feed at city scale: markers in a box (snapped to a grid, capped), a place's popup on demand,
and a 400 for any box or id it cannot answer for."""

from __future__ import annotations

import json

import pytest

from portal.extensions import db
from portal.services.social_map import map_locations
from portal.services.social_map.map_box import BadBox, Box, box_around, parse_box, snap
from tests.factories import LocationFactory, ProgrammeFactory, SessionFactory
from tests.support.queries import count_queries

FEED = "/api/v1/map/locations.geojson"


def _setup():
    park = LocationFactory(name="Park de Gagel", latitude=52.123, longitude=5.127)
    hall = LocationFactory(name="Sporthal", latitude=52.114, longitude=5.108)
    far = LocationFactory(name="Amersfoort", latitude=52.156, longitude=5.387)
    walk = ProgrammeFactory(slug="wandelen", category="bewegen", location=park, texts={"tr": "Yürüyüş"})
    SessionFactory(programme=walk)
    ProgrammeFactory(slug="tekenen", category="creatief", location=hall)
    ProgrammeFactory(slug="concept", category="creatief", location=hall, status="draft")
    ProgrammeFactory(slug="ver-weg", category="creatief", location=far)
    db.session.commit()
    return park, hall, far


def _get(client, query: str) -> dict:
    response = client.get(f"{FEED}?{query}")
    assert response.status_code == 200, query
    assert response.mimetype == "application/geo+json"
    return json.loads(response.get_data())


def _names(data: dict) -> set[str]:
    return {feature["properties"]["name"] for feature in data["features"]}


def test_markers_are_the_places_in_the_box_with_only_id_point_and_name(client):
    park, hall, _ = _setup()
    data = _get(client, "lang=nl&bbox=5.1,52.1,5.2,52.2")
    assert _names(data) == {"Park de Gagel", "Sporthal"}
    feature = next(f for f in data["features"] if f["id"] == park.id)
    assert feature == {
        "type": "Feature",
        "id": park.id,
        "geometry": {"type": "Point", "coordinates": [5.127, 52.123]},
        "properties": {"name": "Park de Gagel"},
    }
    assert data["truncated"] is False
    assert _names(_get(client, "lang=nl&bbox=5.3,52.1,5.4,52.2")) == {"Amersfoort"}
    assert _names(_get(client, "lang=nl&bbox=5.1,52.1,5.2,52.2&category=bewegen")) == {"Park de Gagel"}


def test_without_a_box_the_feed_answers_for_the_neighbourhood(client):
    _setup()
    data = _get(client, "lang=nl")
    assert _names(data) == {"Park de Gagel", "Sporthal"}  # not the place 18 km away
    west, south, east, north = data["bbox"]
    assert west < 5.108 < 5.127 < east and south < 52.114 < 52.123 < north


def test_the_box_is_snapped_so_nearby_boxes_are_one_answer(client):
    _setup()
    first = client.get(f"{FEED}?lang=nl&bbox=5.1001,52.1001,5.1302,52.1302").get_data()
    second = client.get(f"{FEED}?lang=nl&bbox=5.1003,52.1004,5.1299,52.1297").get_data()
    assert first == second
    assert json.loads(first)["bbox"] == [5.09375, 52.09375, 5.1328125, 52.1328125]


@pytest.mark.parametrize(
    "raw",
    [
        "5.1,52.1,5.2,52.2",
        "-0.5,-0.25,0.5,0.25",
        "-180,-90,180,90",
        "4.123456789012,51,4.2,51.1",
        "5,52,5.0001,52.0001",
    ],
)
def test_a_snapped_box_holds_the_box_on_a_coarse_grid(raw):
    box = parse_box(raw)
    snapped = snap(box)
    assert snapped.west <= box.west < box.east <= snapped.east
    assert snapped.south <= box.south < box.north <= snapped.north
    assert snap(snapped) == snapped  # canonical: snapping again changes nothing
    assert parse_box(snapped.query_value()) == snapped  # its text is exact
    span = max(box.east - box.west, box.north - box.south)
    assert max(snapped.east - snapped.west, snapped.north - snapped.south) <= max(3 * span, 6 * 2**-10)


def test_the_default_box_is_a_snapped_box_around_the_point():
    box = box_around(52.116, 5.112, 15)
    assert box == snap(box)
    assert box.west < 5.112 < box.east and box.south < 52.116 < box.north
    assert box.east - box.west < 0.2


@pytest.mark.parametrize(
    "query",
    [
        "bbox=",
        "bbox=5.1,52.1,5.2",
        "bbox=5.1,52.1,5.2,52.2,1",
        "bbox=nan,52.1,5.2,52.2",
        "bbox=inf,52.1,5.2,52.2",
        "bbox=1e1,52.1,5.2,52.2",
        "bbox=5.2,52.1,5.1,52.2",  # west east of east
        "bbox=5.1,52.2,5.2,52.1",
        "bbox=5.1,52.1,5.1,52.2",  # no width
        "bbox=-181,52.1,5.2,52.2",
        "bbox=5.1,-91,5.2,52.2",
        "bbox=5.1,52.1,5.2,91",
        "bbox=+5.1,52.1,5.2,52.2",
        "bbox=%205.1,52.1,5.2,52.2",
        "bbox=5.1,52.1,5.2,52.2&bbox=5.1,52.1,5.2,52.2",
        "bbox=%D9%A1,52.1,5.2,52.2",  # an Arabic-Indic digit
        "bbox=5.1234567890123,52.1,5.2,52.2",
        "bbox=0x1,52.1,5.2,52.2",
        "bbox=" + "1" * 500,
        "bbox=5.1;52.1;5.2;52.2",
        "location=",
        "location=abc",
        "location=-1",
        "location=0",
        "location=2147483648",
        "location=99999999999999999999",
        "location=1&location=2",
        "location=%D9%A1",
    ],
)
def test_odd_boxes_and_ids_are_a_400(client, query):
    response = client.get(f"{FEED}?lang=nl&{query}")
    assert response.status_code == 400, query


@pytest.mark.parametrize("raw", ["", "1,2,3", "a,b,c,d", "3,2,1,4", "-180,-90,180,91", "\u0661,2,3,4"])
def test_parse_box_raises_bad_box(raw):
    with pytest.raises(BadBox):
        parse_box(raw)


def test_the_feed_never_answers_more_than_the_cap(client, monkeypatch):
    _setup()
    for n in range(4):
        ProgrammeFactory(slug=f"extra-{n}", location=LocationFactory(latitude=52.12 + n / 1000))
    db.session.commit()
    monkeypatch.setattr(map_locations, "MAX_POINTS", 3)
    data = _get(client, "lang=nl&bbox=5.1,52.1,5.2,52.2")
    assert len(data["features"]) == 3 and data["truncated"] is True
    ids = [feature["id"] for feature in data["features"]]
    assert ids == sorted(ids)  # the same three every time


def test_a_place_with_its_programmes_for_the_popup(client):
    park, hall, _ = _setup()
    data = _get(client, f"lang=tr&location={park.id}&category=bewegen")
    (feature,) = data["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [5.127, 52.123]}
    properties = feature["properties"]
    assert properties["name"] == "Park de Gagel" and properties["more"] == 0
    (programme,) = properties["programmes"]
    assert programme == {"title": "Yürüyüş", "lang": "tr", "url": "/tr/programmes/wandelen", "next": programme["next"]}
    assert programme["next"]
    hall_programmes = _get(client, f"lang=nl&location={hall.id}")["features"][0]["properties"]["programmes"]
    assert [p["url"] for p in hall_programmes] == ["/nl/programmes/tekenen"]  # never the draft


def test_a_popup_shows_eight_programmes_and_counts_the_rest(client):
    place = LocationFactory()
    for n in range(11):
        ProgrammeFactory(slug=f"p{n:02d}", location=place)
    db.session.commit()
    properties = _get(client, f"lang=nl&location={place.id}")["features"][0]["properties"]
    assert len(properties["programmes"]) == 8 and properties["more"] == 3


def test_an_unknown_place_has_no_feature(client):
    assert _get(client, "lang=nl&location=2147483647")["features"] == []


def test_the_feed_is_a_public_cacheable_page(client):
    _setup()
    response = client.get(f"{FEED}?lang=nl&bbox=5.09375,52.09375,5.140625,52.140625")
    assert "s-maxage" in response.headers["Cache-Control"] and response.headers["ETag"]
    assert "Set-Cookie" not in response.headers


def test_feed_statements_do_not_grow_with_the_places(client):
    """Three boxes that snap to one (three keys for the page cache, so each request is rendered)."""
    _setup()
    url = f"{FEED}?lang=nl&bbox=5.1,52.1,5.2,"
    client.get(url + "52.2")
    with count_queries() as before:
        client.get(url + "52.2001")
    for n in range(30):
        ProgrammeFactory(slug=f"more-{n}", location=LocationFactory(latitude=52.15 + n / 10_000))
    db.session.commit()
    with count_queries() as after:
        data = json.loads(client.get(url + "52.2002").get_data())
    assert len(before) == len(after) > 0
    assert len(data["features"]) == 32


def test_map_points_is_one_query_with_a_box_object(app):
    _setup()
    from portal.services.social_map.filters import ProgrammeFilters

    points, truncated = map_locations.map_points(ProgrammeFilters(), Box(5.0, 52.0, 5.2, 52.2), "nl", limit=1)
    assert len(points) == 1 and truncated

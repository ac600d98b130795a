"""Every anonymous public page costs the same SQL with a small and a five-times-larger social map.

Each page is fetched in every language with a small data set, then again after adding four times as
many programmes, locations and sessions (titles and place names that sort after the first ones, so
the first page of every list shows the same items). A page must send the same statements and read
the same number of rows from the database both times: an N+1 query shows as more statements, and a
page that loads every programme (as the map page did, to show 25 places) shows as more rows."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal import create_app
from portal.config import LANGUAGES
from portal.extensions import db
from portal.models import (
    Location,
    Organisation,
    Programme,
    ProgrammeAudience,
    ProgrammeLanguage,
    ProgrammeText,
    Session,
)
from portal.services.routekaarten.content import current_catalogue
from tests.conftest import FreshContextClient, base_config
from tests.factories import NeighbourhoodFactory, ProgrammeFactory, SessionFactory
from tests.support.databases import empty_all_tables
from tests.support.queries import count_rows

PAGES = {
    "home": "/{lang}/",
    "list": "/{lang}/programmes",
    "filters": "/{lang}/programmes?category=bewegen&day=tue&time=morning&cost=free",
    "programme": "/{lang}/programmes/activiteit-07",
    "map": "/{lang}/map",
    "map filtered": "/{lang}/map?category=bewegen&audience=ouderen",
    "route maps": "/{lang}/routekaarten",
    "meer bewegen": "/{lang}/routekaarten/meer-bewegen",
    "vitale kinderen": "/{lang}/routekaarten/vitale-kinderen",
    "organisations": "/{lang}/organisations",
}
FEED = "/api/v1/map/locations.geojson?lang={lang}"  # every place by design: its rows grow, its statements may not
BASE_PROGRAMMES = 30  # more than a page of the list (20) on more places than a page of the map (25)
GROWTH = 4
ZONE = ZoneInfo("Europe/Amsterdam")


def _next_tuesday_morning() -> datetime:
    today = datetime.now(ZONE).date()
    day = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    return datetime.combine(day, time(10, 0), tzinfo=ZONE).astimezone(UTC)


def _programme(slug: str, title: str, category: str, place: Location, organisation, translated: bool) -> Programme:
    """A published programme with Dutch (and, if `translated`, English) texts, two audiences, two languages, and
    two sessions: one on a Tuesday morning, one a week later in the afternoon."""
    programme = Programme(slug=slug, organisation=organisation, location=place, category=category, status="published")
    texts = {"nl": title} | ({"en": f"{title} (en)"} if translated else {})
    programme.translations = [
        ProgrammeText(locale=locale, title=text, summary=f"{text} kort", description=f"Over **{text}**.")
        for locale, text in texts.items()
    ]
    programme.audiences = [ProgrammeAudience(audience="ouderen"), ProgrammeAudience(audience="volwassenen")]
    programme.languages = [ProgrammeLanguage(language="nl"), ProgrammeLanguage(language="tr")]
    start = _next_tuesday_morning()
    programme.sessions = [
        Session(starts_at=start, ends_at=start + timedelta(hours=1), capacity=10),
        Session(starts_at=start + timedelta(days=8, hours=4), ends_at=start + timedelta(days=8, hours=5), capacity=10),
    ]
    return programme


def _add(prefix: str, title: str, place_name: str, count: int, places: int, categories: tuple[str, ...]) -> None:
    """`count` programmes named `title` nnn over `places` new locations named `place_name` nnn, run by the
    neighbourhood's first two organisations."""
    hood = NeighbourhoodFactory()
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.id).limit(2)).all()
    locations = [
        Location(
            slug=f"{prefix}-plek-{i:03d}",
            neighbourhood=hood,
            name=f"{place_name} {i:03d}",
            street="Zamenhofdreef",
            house_number=str(i + 1),
            postcode="3562 AB",
            city="Utrecht",
            latitude=52.1 + i / 10_000,
            longitude=5.1,
            wheelchair_accessible=i % 2 == 0,
        )
        for i in range(places)
    ]
    db.session.add_all(
        _programme(
            f"{prefix}-{i:02d}",
            f"{title} {i:03d}",
            categories[i % len(categories)],
            locations[i % places],
            organisations[i % 2],
            translated=i % 2 == 0,
        )
        for i in range(count)
    )
    db.session.commit()


@pytest.fixture
def app(database, tmp_path):
    """The portal with its page cache off: every request is rendered, so its SQL is what is counted."""
    settings = {k: v for k, v in database.items() if k != "backend"}
    app = create_app(base_config(tmp_path) | settings | {"PORTAL_PAGE_CACHE": "off"})
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        empty_all_tables(db)
        db.engine.dispose()


def _small_map() -> None:
    """The programmes the route maps name (with a session each), and BASE_PROGRAMMES more on 27 places."""
    slugs = sorted({offer.programme for route_map in current_catalogue().maps for offer in route_map.offers})
    for slug in slugs:
        SessionFactory(programme=ProgrammeFactory(slug=slug))
    _add("activiteit", "Activiteit", "Buurthuis", BASE_PROGRAMMES, 27, ("bewegen", "ontmoeten", "creatief"))


def _grow() -> None:
    """Four times as many programmes and places, all sorting after the first ones and none 'bewegen' (so the
    filtered pages, which show fewer than a page, show the same items)."""
    count = BASE_PROGRAMMES * GROWTH
    _add("zz-extra", "Zz extra", "Zz plek", count, count // 2, ("ontmoeten", "creatief"))


def _costs(client) -> dict[str, dict[str, int]]:
    costs = {}
    for lang in LANGUAGES:
        for name, pattern in {**PAGES, "feed": FEED}.items():
            url = pattern.format(lang=lang)
            assert client.get(url).status_code == 200, url  # first: templates compiled, nothing else warmed
            with count_rows() as counted:
                assert client.get(url).status_code == 200, url
            costs[f"{name} ({lang})"] = dict(counted)
    return costs


def test_public_pages_cost_the_same_sql_with_five_times_the_data(client):
    _small_map()
    small = _costs(client)
    _grow()
    large = _costs(client)

    statements = {page: (small[page]["statements"], large[page]["statements"]) for page in small}
    assert {page: pair for page, pair in statements.items() if pair[0] != pair[1]} == {}
    rows = {page: (small[page]["rows"], large[page]["rows"]) for page in small if not page.startswith("feed")}
    assert {page: pair for page, pair in rows.items() if pair[0] != pair[1]} == {}
    feed_rows = [(small[page]["rows"], large[page]["rows"]) for page in small if page.startswith("feed")]
    assert all(after > before for before, after in feed_rows), "the feed should have grown: the data did not"


def test_first_list_pages_show_the_same_items_after_growing(client):
    """The premise of the test above: the larger map adds only items that sort after the first page's."""
    _small_map()
    before = client.get("/nl/programmes").get_data(as_text=True)
    map_before = client.get("/nl/map").get_data(as_text=True)
    _grow()
    after = client.get("/nl/programmes").get_data(as_text=True)
    map_after = client.get("/nl/map").get_data(as_text=True)
    assert "Zz extra" not in after and "Zz plek" not in map_after
    assert after.count('class="wp-card"') == before.count('class="wp-card"') == 20
    assert map_after.count('class="wp-places__item"') == map_before.count('class="wp-places__item"') == 25
    assert "Zz extra" in client.get("/nl/programmes?page=8").get_data(as_text=True)

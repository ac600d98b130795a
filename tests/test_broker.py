"""Beweegmakelaars keep their organisation's listings: programmes, sessions, locations, history and freshness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Location, Programme, ProgrammeChange, Session
from portal.services.listings import dashboard
from portal.services.listings.session_planning import LOCAL, local_today
from tests.factories import LocationFactory, OrganisationFactory, ProgrammeFactory, SessionFactory
from tests.support.accounts import post_form
from tests.support.queries import count_queries

PROGRAMME = {
    "nl-title": "Wandelen in het Park",
    "nl-summary": "Samen wandelen in het Gagelbos, in uw eigen tempo.",
    "nl-description": "Elke week een rondje van een uur. **Gratis.**",
    "category": "bewegen",
    "audiences": ["volwassenen", "ouderen"],
    "languages": ["nl", "tr"],
    "cost_euros": "0",
    "contact_name": "Sanne",
    "contact_phone": "030 123 45 67",
    "zelfredzaamheid": ["laag", "midden"],
}


def next_weekday(weekday: int) -> date:
    """The first date after today with this weekday (0 = Monday)."""
    today = local_today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


@pytest.fixture
def broker(login):
    """A logged-in beweegmakelaar of a sports organisation with one location."""
    organisation = OrganisationFactory(name="Sportief Overvecht", kind="brokerage")
    user = login("broker", organisation=organisation)
    LocationFactory(organisation=organisation, name="Park de Gagel")
    db.session.commit()
    return user


def add_programme(client, **changes):
    """Fill in the new-programme form."""
    location = db.session.scalar(select(Location).limit(1))
    data = PROGRAMME | {"location": location.id} | changes
    return post_form(client, "/nl/broker/programmes/new", data)


def plan_series(client, weeks: int = 4, first_day: date | None = None) -> list[Session]:
    """Add the programme and plan a weekly series on Tuesdays at 10:00; returns its sessions in time order."""
    add_programme(client)
    programme = db.session.scalar(select(Programme))
    first_day = first_day or next_weekday(1)
    plan = {"first_day": first_day.isoformat(), "start": "10:00", "duration_minutes": "60", "capacity": "12"}
    data = plan | {"weeks": str(weeks), "on_holidays": "y"}  # the same count on any day the suite runs
    post_form(client, f"/nl/broker/programmes/{programme.id}/sessions/new", data)
    return db.session.scalars(select(Session).order_by(Session.starts_at)).all()


def local_times(sessions) -> list[tuple[date, str, str, int]]:
    """Each session's local day, start, end and places, as the organiser sees them."""
    db.session.expire_all()
    return [
        (
            s.starts_at.astimezone(LOCAL).date(),
            s.starts_at.astimezone(LOCAL).strftime("%H:%M"),
            s.ends_at.astimezone(LOCAL).strftime("%H:%M"),
            s.capacity,
        )
        for s in sessions
    ]


def test_a_broker_adds_plans_weekly_sessions_publishes_and_it_shows_on_the_list_and_map(client, broker):
    response = add_programme(client)
    assert response.status_code == 302
    programme = db.session.scalar(select(Programme).where(Programme.slug == "wandelen-in-het-park"))
    assert programme.status == "draft" and programme.organisation_id == broker.organisation_id
    assert client.get("/nl/programmes/wandelen-in-het-park").status_code == 404  # drafts are not public

    tuesday = next_weekday(1)
    skip = (tuesday + timedelta(weeks=3)).isoformat()
    plan = {"first_day": tuesday.isoformat(), "start": "10:00", "duration_minutes": "60", "capacity": "12"}
    response = post_form(
        client,
        f"/nl/broker/programmes/{programme.id}/sessions/new",
        plan | {"weeks": "8", "skip": skip, "on_holidays": "y"},
    )
    assert response.status_code == 302
    sessions = db.session.scalars(
        select(Session).where(Session.programme_id == programme.id).order_by(Session.starts_at)
    ).all()
    assert len(sessions) == 7
    assert {s.starts_at.astimezone(LOCAL).strftime("%a %H:%M") for s in sessions} == {"Tue 10:00"}
    assert len({s.series_id for s in sessions}) == 1

    page = f"/nl/broker/programmes/{programme.id}"
    assert post_form(client, f"{page}/publish", {}, token_from=page).status_code == 302
    assert "Wandelen in het Park" in client.get("/nl/programmes").get_data(as_text=True)
    assert client.get("/nl/programmes/wandelen-in-het-park").status_code == 200
    markers = client.get("/api/v1/map/locations.geojson").get_json()["features"]
    assert programme.location_id in {marker["id"] for marker in markers}
    popup = client.get(f"/api/v1/map/locations.geojson?location={programme.location_id}")  # the marker's popup
    assert "Wandelen in het Park" in popup.get_data(as_text=True)


def test_edits_are_recorded_in_the_history_and_count_as_a_check(client, broker):
    add_programme(client)
    programme = db.session.scalar(select(Programme))
    programme.last_verified_on = local_today() - timedelta(days=100)
    db.session.commit()
    edit = f"/nl/broker/programmes/{programme.id}/edit"
    location = db.session.scalar(select(Location).limit(1))
    data = PROGRAMME | {"location": location.id, "nl-title": "Wandelen in het Gagelbos", "en-title": "Walking"}
    data |= {"en-summary": "Walking together."}
    assert post_form(client, edit, data).status_code == 302
    changes = {c.field: (c.old_value, c.new_value) for c in db.session.scalars(select(ProgrammeChange))}
    assert changes["title.nl"] == ("Wandelen in het Park", "Wandelen in het Gagelbos")
    assert changes["title.en"] == ("", "Walking")
    db.session.refresh(programme)
    assert programme.last_verified_on == local_today()
    assert "Wandelen in het Gagelbos" in client.get(f"/nl/broker/programmes/{programme.id}").get_data(as_text=True)


def test_freshness_flag_after_90_days_and_public_warning_after_180(client, broker):
    fresh = ProgrammeFactory(organisation=broker.organisation, last_verified_on=local_today() - timedelta(days=89))
    old = ProgrammeFactory(organisation=broker.organisation, last_verified_on=local_today() - timedelta(days=90))
    stale = ProgrammeFactory(organisation=broker.organisation, last_verified_on=local_today() - timedelta(days=180))
    db.session.commit()
    rows = {row.id: row.needs_check for row in dashboard.programme_page(broker.organisation_id, local_today())}
    assert rows == {fresh.id: False, old.id: True, stale.id: True}
    assert "wp-alert--warning" not in client.get(f"/nl/programmes/{old.slug}").get_data(as_text=True)
    assert "wp-alert--warning" in client.get(f"/nl/programmes/{stale.slug}").get_data(as_text=True)

    page = "/nl/broker/"
    post_form(client, f"/nl/broker/programmes/{stale.id}/confirm", {"back": "index"}, token_from=page)
    db.session.refresh(stale)
    assert stale.last_verified_on == local_today()
    assert "wp-alert--warning" not in client.get(f"/nl/programmes/{stale.slug}").get_data(as_text=True)


def test_cancel_one_session_or_the_rest_of_the_series(client, broker):
    sessions = plan_series(client)
    post_form(client, f"/nl/broker/sessions/{sessions[0].id}/cancel", {})
    post_form(client, f"/nl/broker/sessions/{sessions[2].id}/cancel-rest", {})
    db.session.expire_all()
    assert [s.status for s in db.session.scalars(select(Session).order_by(Session.starts_at))] == [
        "cancelled",
        "scheduled",
        "cancelled",
        "cancelled",
    ]


def test_cancelling_asks_first_and_says_whom_it_affects(client, broker):
    sessions = plan_series(client)
    sessions[2].booked, sessions[3].booked = 2, 1
    db.session.commit()
    page = client.get(f"/nl/broker/sessions/{sessions[1].id}/cancel-rest")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert "deze 3 bijeenkomsten" in text and "3 boekingen worden afgezegd" in text
    assert text.count("<li><time") == 3
    db.session.expire_all()
    assert {s.status for s in db.session.scalars(select(Session))} == {"scheduled"}  # looking cancels nothing
    one = client.get(f"/nl/broker/sessions/{sessions[0].id}/cancel").get_data(as_text=True)
    assert "deze bijeenkomst van" in one and "niemand een e-mail" in one


@pytest.mark.parametrize("action", ["cancel", "cancel-rest"])
def test_cancelling_again_has_nothing_left_to_cancel(client, broker, action):
    sessions = plan_series(client, weeks=2)
    post_form(client, f"/nl/broker/sessions/{sessions[1].id}/{action}", {})
    if action == "cancel-rest":
        sessions[1].series_id = None  # a cancelled session that had left its series
        db.session.commit()
    page = client.get(f"/nl/broker/sessions/{sessions[1].id}/{action}").get_data(as_text=True)
    assert "Er is niets meer af te zeggen" in page and "Ja, afzeggen" not in page


def test_cancelling_without_the_form_token_cancels_nothing(client, broker):
    sessions = plan_series(client, weeks=2)
    response = client.post(f"/nl/broker/sessions/{sessions[0].id}/cancel-rest", data={})
    assert response.status_code in (302, 400)
    db.session.expire_all()
    assert {s.status for s in db.session.scalars(select(Session))} == {"scheduled"}


def test_change_the_rest_of_a_series_moves_each_later_session_by_the_same_days(client, broker):
    sessions = plan_series(client)
    before = local_times(sessions)
    second_day = before[1][0]
    data = {"day": (second_day + timedelta(days=1)).isoformat(), "start": "10:30", "end": "11:45", "capacity": "15"}
    response = post_form(client, f"/nl/broker/sessions/{sessions[1].id}/edit", data | {"scope": "rest"})
    assert response.status_code == 302
    after = local_times(sessions)
    assert after[0] == before[0]
    assert after[1:] == [(day + timedelta(days=1), "10:30", "11:45", 15) for day, *_ in before[1:]]
    assert len({s.series_id for s in sessions[1:]}) == 1 and all(s.revision == 1 for s in sessions[1:])
    assert sessions[0].revision == 0
    assert "3 bijeenkomsten veranderd" in client.get(response.location).get_data(as_text=True)


def test_change_only_one_session_of_a_series(client, broker):
    sessions = plan_series(client)
    before = local_times(sessions)
    data = {"day": before[1][0].isoformat(), "start": "10:30", "end": "11:30", "capacity": "12", "scope": "one"}
    assert post_form(client, f"/nl/broker/sessions/{sessions[1].id}/edit", data).status_code == 302
    after = local_times(sessions)
    assert after[1] == (before[1][0], "10:30", "11:30", 12)
    assert after[0] == before[0] and after[2:] == before[2:]
    assert sessions[1].series_id is None  # a moved single session leaves its series
    page = client.get(f"/nl/broker/sessions/{sessions[1].id}/edit").get_data(as_text=True)
    rest = "Deze bijeenkomst en alle latere in de reeks"
    assert rest not in page  # nothing later to change with it
    assert rest in client.get(f"/nl/broker/sessions/{sessions[2].id}/edit").get_data(as_text=True)


def test_the_rest_of_a_series_keeps_its_wall_clock_time_across_summer_time(client, broker):
    """A series from winter into summer time (28 March 2027 in the Netherlands) changed to 18:30 stays 18:30."""
    first_day = next_weekday(1)
    change_of_clock = date(2027, 3, 28)
    weeks = min(52, (change_of_clock - first_day).days // 7 + 3)
    sessions = plan_series(client, weeks=weeks, first_day=first_day)
    assert sessions[-1].starts_at.astimezone(LOCAL).date() > change_of_clock
    data = {"day": first_day.isoformat(), "start": "18:30", "end": "19:30", "capacity": "12", "scope": "rest"}
    assert post_form(client, f"/nl/broker/sessions/{sessions[0].id}/edit", data).status_code == 302
    assert {(start, end) for _, start, end, _ in local_times(sessions)} == {("18:30", "19:30")}
    offsets = {s.starts_at.astimezone(LOCAL).utcoffset() for s in sessions}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"capacity": "10"}, "meer boekingen dan plaatsen"),  # a later session has 11 booked
        ({"day": "2020-01-07"}, "Deze tijd is al voorbij"),
        ({"start": "12:00", "end": "11:00"}, "eindtijd moet na de begintijd"),
        ({"scope": "alles"}, "wp-alert--error"),
        ({"scope": ""}, "Maak een keuze."),
    ],
)
def test_a_refused_change_of_the_rest_changes_no_session(client, broker, changes, message):
    sessions = plan_series(client)
    sessions[3].booked = 11
    db.session.commit()
    before = local_times(sessions)
    data = {"day": before[1][0].isoformat(), "start": "10:30", "end": "11:30", "capacity": "12", "scope": "rest"}
    response = post_form(client, f"/nl/broker/sessions/{sessions[1].id}/edit", data | changes)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert local_times(sessions) == before


@pytest.mark.parametrize(("typed", "cents"), [("2,50", 250), ("€ 2,50", 250), ("2.50", 250), ("3", 300), ("0,05", 5)])
def test_a_cost_is_taken_the_dutch_way_too(client, broker, typed, cents):
    assert add_programme(client, cost_euros=typed).status_code == 302
    assert db.session.scalar(select(Programme.cost_cents)) == cents


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "10000"}, "capacity"),
        ({"capacity": "veel"}, "capacity"),
        ({"weeks": "60"}, "weeks"),
        ({"first_day": "2020-01-07"}, None),
        ({"skip": "morgen"}, "skip"),
        ({"start": "25:00"}, "start"),
    ],
)
def test_bad_session_plans_are_refused_with_a_message_and_save_nothing(client, broker, changes, field):
    add_programme(client)
    programme = db.session.scalar(select(Programme))
    plan = {"first_day": next_weekday(1).isoformat(), "start": "10:00", "duration_minutes": "60", "capacity": "12"}
    response = post_form(client, f"/nl/broker/programmes/{programme.id}/sessions/new", plan | {"weeks": "2"} | changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "wp-alert--error" in page
    if field:
        assert f'id="{field}-error"' in page
    assert db.session.scalars(select(Session)).all() == []


def test_a_session_end_before_start_is_refused(client, broker):
    session = SessionFactory(programme=ProgrammeFactory(organisation=broker.organisation))
    db.session.commit()
    data = {"day": next_weekday(2).isoformat(), "start": "11:00", "end": "10:00", "capacity": "12", "scope": "one"}
    response = post_form(client, f"/nl/broker/sessions/{session.id}/edit", data)
    assert response.status_code == 200 and "wp-alert--error" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nl-title": ""}, "nl-title"),
        ({"nl-title": "x" * 161}, "nl-title"),
        ({"nl-description": "x" * 1_000_000}, None),
        ({"category": "skydiven"}, "category"),
        ({"cost_euros": "-5"}, "cost_euros"),
        ({"cost_euros": "2,5,0"}, "cost_euros"),
        ({"cost_euros": "1.000,50"}, "cost_euros"),
        ({"contact_email": "geen-email"}, "contact_email"),
        ({"slug": "Met Spaties"}, "slug"),
        # Pages put the slug into links as it is (no URL encoding): only a-z, 0-9 and inner dashes get in.
        ({"slug": "wandelen/../admin"}, "slug"),
        ({"slug": "wandelen?lang=ar#x"}, "slug"),
        ({"slug": "caf%C3%A9"}, "slug"),
        ({"slug": "café"}, "slug"),
        ({"slug": '"><script>'}, "slug"),
        ({"en-title": "Walking"}, "en-summary"),
    ],
)
def test_bad_programme_input_is_refused_and_saves_nothing(client, broker, changes, field):
    response = add_programme(client, **changes)
    assert response.status_code in (200, 413)
    if field:
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalars(select(Programme)).all() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"postcode": "12345"}, "postcode"),
        ({"latitude": "200"}, "latitude"),
        ({"latitude": "48.85", "longitude": "2.35"}, "latitude"),
    ],
)
def test_locations_need_a_dutch_postcode_and_a_point_in_the_netherlands(client, broker, changes, field):
    data = {
        "name": "Buurthuis De Boog",
        "street": "Zambesidreef",
        "house_number": "2",
        "postcode": "3564ab",
        "city": "Utrecht",
        "latitude": "52.1167",
        "longitude": "5.1100",
    }
    good = post_form(client, "/nl/broker/locations/new", data)
    assert good.status_code == 302
    assert db.session.scalar(select(Location).where(Location.name == "Buurthuis De Boog")).postcode == "3564 AB"
    bad = post_form(client, "/nl/broker/locations/new", data | {"name": "Ander huis"} | changes)
    assert bad.status_code == 200 and f'id="{field}-error"' in bad.get_data(as_text=True)
    assert db.session.scalar(select(Location).where(Location.name == "Ander huis")) is None


def test_another_organisations_listings_are_out_of_reach(client, broker):
    other = OrganisationFactory()
    programme = ProgrammeFactory(organisation=other)
    session = SessionFactory(programme=programme)
    location = LocationFactory(organisation=other)
    db.session.commit()
    assert client.get(f"/nl/broker/programmes/{programme.id}").status_code == 404
    assert client.get(f"/nl/broker/programmes/{programme.id}/edit").status_code == 404
    page = "/nl/broker/"
    assert post_form(client, f"/nl/broker/programmes/{programme.id}/archive", {}, token_from=page).status_code == 404
    assert post_form(client, f"/nl/broker/sessions/{session.id}/cancel", {}, token_from=page).status_code == 404
    assert client.get(f"/nl/broker/locations/{location.id}/edit").status_code == 404
    db.session.refresh(programme)
    assert programme.status == "published"


def test_a_coordinator_manages_every_organisations_listings(client, login):
    programme = ProgrammeFactory(organisation=OrganisationFactory())
    db.session.commit()
    login("admin")
    page = f"/nl/broker/programmes/{programme.id}"
    assert client.get(page).status_code == 200
    assert post_form(client, f"{page}/archive", {}, token_from=page).status_code == 302
    db.session.refresh(programme)
    assert programme.status == "archived"


def test_a_coordinators_dashboard_shows_every_organisations_programmes_and_next_sessions(client, login):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    organisations = [OrganisationFactory(), OrganisationFactory()]
    sessions = [SessionFactory(programme=ProgrammeFactory(organisation=o), starts_at=soon) for o in organisations]
    db.session.commit()
    login("admin")
    page = client.get("/en/broker/").get_data(as_text=True)
    assert "<h1>My programmes</h1>" in page  # no organisation's name: all of them
    for session in sessions:  # each in the next sessions and in the list
        assert page.count(f'href="/en/broker/programmes/{session.programme_id}"') == 2


def test_residents_cannot_open_the_broker_pages(client, login):
    login("resident")
    assert client.get("/nl/broker/").status_code == 403


def test_the_dashboard_does_not_query_once_per_programme(broker):
    def queries_for(programme_count):
        for _ in range(programme_count):
            SessionFactory(programme=ProgrammeFactory(organisation=broker.organisation))
        db.session.commit()
        db.session.expire_all()
        with count_queries() as statements:
            rows = dashboard.programme_page(broker.organisation_id, local_today())
            assert all(row.next_start is not None for row in rows)
        return len(statements)

    assert queries_for(2) == queries_for(8)


def _plan(client, first_day: date, weeks: int, lang: str = "nl", **extra):
    programme = db.session.scalar(select(Programme))
    plan = {"first_day": first_day.isoformat(), "start": "10:00", "duration_minutes": "60", "capacity": "12"}
    url = f"/{lang}/broker/programmes/{programme.id}/sessions/new"
    response = post_form(client, url, plan | {"weeks": str(weeks)} | extra)
    return client.get(response.location) if response.status_code == 302 else response


def _planned_days() -> list[date]:
    return [
        s.starts_at.astimezone(LOCAL).date() for s in db.session.scalars(select(Session).order_by(Session.starts_at))
    ]


def test_the_planner_skips_public_holidays_and_says_which(client, broker):
    add_programme(client)
    page = _plan(client, date(2027, 3, 29), 8).get_data(as_text=True)  # Mondays: Easter and Whit Monday
    days = _planned_days()
    assert len(days) == 6 and date(2027, 3, 29) not in days and date(2027, 5, 17) not in days
    assert "29 maart 2027 (Tweede paasdag) en 17 mei 2027 (Tweede pinksterdag)" in page


def test_the_planner_names_skipped_holidays_in_the_readers_language(client, broker):
    add_programme(client)
    page = _plan(client, date(2027, 12, 18), 2, lang="en").get_data(as_text=True)
    assert _planned_days() == [date(2027, 12, 18)]
    assert "25 December 2027 (Christmas Day)" in page


def test_the_planner_plans_on_public_holidays_when_asked(client, broker):
    add_programme(client)
    page = _plan(client, date(2027, 12, 18), 2, on_holidays="y").get_data(as_text=True)
    assert _planned_days() == [date(2027, 12, 18), date(2027, 12, 25)]
    assert "Eerste kerstdag" not in page


def test_a_plan_of_only_a_public_holiday_is_refused(client, broker):
    add_programme(client)
    response = _plan(client, date(2027, 12, 25), 1)
    assert response.status_code == 200
    assert "niets te plannen" in response.get_data(as_text=True)
    assert _planned_days() == []


def test_the_history_records_only_real_changes_in_the_readers_words(client, broker):
    texts = {f"{lang}-{name}": f"{lang} {name}" for lang in ("en", "tr", "ar") for name in ("title", "summary")} | {
        "en-description": "Every week.\n\n*Free.*",
        "tr-description": "Her hafta.",
        "ar-description": "كل أسبوع.",
    }
    add_programme(client, **texts)
    programme = db.session.scalar(select(Programme))
    location = db.session.scalar(select(Location).limit(1))
    same_reading = {
        "nl-description": "Elke week een rondje van een uur. __Gratis.__  \r\n",  # Markdown that renders the same
        "en-description": "Every week.\r\n\r\n_Free._",
        "tr-description": "Her hafta.  \r\n",
        "ar-description": "  كل أسبوع.",
        "audiences": ["ouderen", "volwassenen"],
    }
    real = {"cost_euros": "2.50", "languages": ["nl", "tr", "ber"]}
    data = PROGRAMME | texts | {"location": location.id} | same_reading | real
    response = post_form(client, f"/nl/broker/programmes/{programme.id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    changes = db.session.scalars(select(ProgrammeChange).where(ProgrammeChange.field != "created")).all()
    assert sorted(c.field for c in changes) == ["cost_cents", "languages"]

    page = client.get(f"/en/broker/programmes/{programme.id}").get_data(as_text=True)
    assert "€0.00" in page and "€2.50" in page
    assert "Berber (Tamazight), Dutch, Turkish" in page
    assert "in cents" not in page
    page = client.get(f"/nl/broker/programmes/{programme.id}").get_data(as_text=True)
    assert "€\xa02,50" in page and "Nederlands, Turks" in page


def test_a_real_change_of_one_description_is_recorded_once(client, broker):
    add_programme(client)
    programme = db.session.scalar(select(Programme))
    location = db.session.scalar(select(Location).limit(1))
    data = PROGRAMME | {"location": location.id, "nl-description": "Elke week een rondje van een uur. Gratis."}
    post_form(client, f"/nl/broker/programmes/{programme.id}/edit", data)
    changes = db.session.scalars(select(ProgrammeChange).where(ProgrammeChange.field != "created")).all()
    assert [c.field for c in changes] == ["description.nl"]


@pytest.mark.parametrize("query", ["page=0", "page=-2", "page=abc", "page=99999999999999999999999"])
def test_the_dashboard_takes_bad_page_numbers_calmly(client, broker, query):
    ProgrammeFactory(organisation=broker.organisation)
    db.session.commit()
    assert client.get(f"/nl/broker/?{query}").status_code == 200


def test_the_dashboard_shows_a_page_of_programmes_and_counts_all_that_need_checking(client, broker):
    old = local_today() - timedelta(days=100)
    for number in range(dashboard.PAGE_SIZE + 2):
        ProgrammeFactory(organisation=broker.organisation, slug=f"p-{number:03d}", last_verified_on=old)
    db.session.commit()
    first = client.get("/nl/broker/").get_data(as_text=True)
    assert first.count("<tr>") == dashboard.PAGE_SIZE + 1  # the header row and a page of programmes
    assert f"{dashboard.PAGE_SIZE + 2} activiteiten zijn" in first and 'href="/nl/broker/?page=2"' in first
    second = client.get("/nl/broker/?page=2").get_data(as_text=True)
    assert second.count("<tr>") == 3


def test_the_dashboard_shows_the_next_coming_sessions_of_its_own_organisation(client, broker):
    soon = local_today() + timedelta(days=1)
    mine = ProgrammeFactory(organisation=broker.organisation)
    other = ProgrammeFactory(organisation=OrganisationFactory())
    start = datetime.combine(soon, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    kept = [SessionFactory(programme=mine, starts_at=start + timedelta(days=n), booked=n) for n in range(6)]
    SessionFactory(programme=mine, starts_at=start - timedelta(days=3))  # over
    SessionFactory(programme=mine, starts_at=start - timedelta(hours=1), status="cancelled")
    SessionFactory(programme=other, starts_at=start - timedelta(hours=2))
    db.session.commit()
    rows = dashboard.next_sessions(broker.organisation_id)
    assert [row.starts_at for row in rows] == [session.starts_at for session in kept[:5]]
    assert [row.booked for row in rows] == [0, 1, 2, 3, 4] and {row.programme_id for row in rows} == {mine.id}
    page = client.get("/en/broker/").get_data(as_text=True)
    assert "Coming up next" in page and "4 of 12 places booked" in page and "5 of 12" not in page

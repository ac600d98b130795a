"""The organiser's side of bookings: who booked (audited), appointment slots, the cut-off, and telling residents."""

from __future__ import annotations

import io
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Booking, Programme, Session
from portal.services.booking import places
from portal.services.listings import editing
from portal.services.listings.session_planning import LOCAL, local_moment, local_today
from tests.factories import LocationFactory, OrganisationFactory, ProgrammeFactory, SessionFactory, UserFactory
from tests.support.accounts import post_form
from tests.support.mail import calendar_in, outbox


@pytest.fixture
def organiser(login):
    """A logged-in beweegmakelaar."""
    return login("broker", organisation=OrganisationFactory(name="Beweegmakelaars Overvecht", kind="brokerage"))


@pytest.fixture
def booked(organiser):
    """A session of the organiser's with 2 places, both booked, and one resident on the waiting list."""
    starts_at = local_moment(local_today() + timedelta(days=3), time(10, 0))
    session = SessionFactory(
        capacity=2, starts_at=starts_at, programme=ProgrammeFactory(organisation=organiser.organisation)
    )
    people = [
        UserFactory(role="resident", locale=locale, display_name=f"Bewoner {locale}") for locale in ["nl", "tr", "ar"]
    ]
    for n, person in enumerate(people):
        places.book(person, session.id, f"organiser-test-key-{n}")
    db.session.commit()
    return session, people


def test_the_organiser_sees_who_booked_and_every_look_is_audited(client, booked):
    session, people = booked
    page = client.get(f"/nl/broker/sessions/{session.id}/participants")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert all(person.display_name in text and person.email in text for person in people)
    assert page.headers["Cache-Control"] == "private, no-store"
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "booking")).all()
    assert {event.subject_user_id for event in reads} == {person.id for person in people}
    assert {event.actor_organisation_name for event in reads} == {"Beweegmakelaars Overvecht"}


@pytest.mark.parametrize("role", ["broker", "professional", "admin"])
def test_nobody_outside_the_organising_organisation_sees_who_booked(app, booked, role):
    session, _people = booked
    client = app.test_client()
    from tests.support.accounts import sign_in

    outsider = UserFactory(role=role, organisation=OrganisationFactory(), second_factor="totp", totp_secret="A" * 32)
    sign_in(client, outsider)
    assert client.get(f"/nl/broker/sessions/{session.id}/participants").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_cancelling_a_session_tells_everyone_booked_in_their_language(app, client, booked):
    session, people = booked
    page = f"/nl/broker/programmes/{session.programme_id}"
    response = post_form(client, f"/nl/broker/sessions/{session.id}/cancel", {}, token_from=page)
    assert response.status_code == 302
    statuses = db.session.scalars(select(Booking.status).where(Booking.session_id == session.id)).all()
    assert set(statuses) == {"cancelled"}
    mails = {mail["To"]: mail for mail in outbox(app)[-3:]}
    assert set(mails) == {person.email for person in people}
    for person in people:
        calendar = calendar_in(mails[person.email])
        assert str(calendar["METHOD"]) == "CANCEL" and str(calendar.events[0]["STATUS"]) == "CANCELLED"
        assert mails[person.email]["Content-Language"] in (None, person.locale)


def test_more_places_promote_the_waiting_list_and_tell_them(app, client, booked):
    session, people = booked
    edit = f"/nl/broker/sessions/{session.id}/edit"
    start, end = session.starts_at.astimezone(LOCAL), session.ends_at.astimezone(LOCAL)
    data = {"day": start.date().isoformat(), "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    assert post_form(client, edit, data | {"capacity": "3", "scope": "one"}).status_code == 302
    waiting = db.session.scalar(select(Booking).where(Booking.user_id == people[2].id))
    assert waiting.status == "confirmed"
    assert [mail["To"] for mail in outbox(app)] == [people[2].email]  # only the promoted resident, not a move


def test_moving_a_session_mails_the_new_time(app, client, booked):
    session, people = booked
    edit = f"/nl/broker/sessions/{session.id}/edit"
    start = session.starts_at.astimezone(LOCAL) + timedelta(days=1)
    data = {"day": start.date().isoformat(), "start": "11:00", "end": "12:00", "capacity": "2", "scope": "one"}
    assert post_form(client, edit, data).status_code == 302
    mails = {mail["To"]: mail for mail in outbox(app)}
    assert set(mails) >= {people[0].email, people[1].email, people[2].email}
    event = calendar_in(mails[people[0].email]).events[0]
    assert event.start.astimezone(LOCAL).strftime("%H:%M") == "11:00" and event["SEQUENCE"] == 1


def test_changing_the_rest_of_a_series_mails_everyone_booked_in_a_moved_session(app, client, organiser):
    first = local_moment(local_today() + timedelta(days=3), time(10, 0))
    programme = ProgrammeFactory(organisation=organiser.organisation)
    series = [
        SessionFactory(programme=programme, capacity=5, starts_at=first + timedelta(weeks=week), series_id="s" * 32)
        for week in range(3)
    ]
    people = [UserFactory(role="resident", locale=locale) for locale in ["tr", "ar"]]
    places.book(people[0], series[0].id, "series-test-key-00")  # not moved: booked before the change
    places.book(people[0], series[2].id, "series-test-key-01")
    places.book(people[1], series[1].id, "series-test-key-02")
    db.session.commit()
    data = {"day": first.date().isoformat(), "start": "10:00", "end": "11:00", "capacity": "5", "scope": "rest"}
    data |= {"day": (first + timedelta(weeks=1)).date().isoformat(), "start": "09:00", "end": "10:00"}
    assert post_form(client, f"/nl/broker/sessions/{series[1].id}/edit", data).status_code == 302
    mails = outbox(app)
    assert sorted(mail["To"] for mail in mails) == sorted([people[0].email, people[1].email])
    for mail in mails:
        event = calendar_in(mail).events[0]
        assert event.start.astimezone(LOCAL).strftime("%H:%M") == "09:00" and event["SEQUENCE"] == 1


def import_session_row(client, session, *, end: str | None = None, capacity: int = 2, status: str = ""):
    """Upload a sessions CSV with one row for `session`, as the organiser does in a spreadsheet."""
    start = session.starts_at.astimezone(LOCAL)
    end = end or session.ends_at.astimezone(LOCAL).strftime("%H:%M")
    day = start.strftime("%Y-%m-%d")
    row = f"{session.programme.slug},{day} {start:%H:%M},{day} {end},{capacity},{status}\r\n"
    data = ("programme_slug,starts_at,ends_at,capacity,status\r\n" + row).encode()
    upload = {"kind": "sessions", "file": (io.BytesIO(data), "bijeenkomsten.csv")}
    return post_form(client, "/nl/broker/import", upload)


def test_a_sessions_import_that_cancels_a_session_cancels_its_bookings_and_tells_everyone(app, client, booked):
    session, people = booked
    assert import_session_row(client, session, status="cancelled").status_code == 302
    db.session.expire_all()
    assert session.status == "cancelled" and session.booked == 0
    assert set(db.session.scalars(select(Booking.status).where(Booking.session_id == session.id))) == {"cancelled"}
    mails = {mail["To"]: mail for mail in outbox(app)}
    assert set(mails) == {person.email for person in people}
    assert all(str(calendar_in(mail)["METHOD"]) == "CANCEL" for mail in mails.values())


def test_a_sessions_import_with_more_places_gives_them_to_the_waiting_list(app, client, booked):
    session, people = booked
    assert import_session_row(client, session, capacity=3).status_code == 302
    waiting = db.session.scalar(select(Booking).where(Booking.user_id == people[2].id))
    assert waiting.status == "confirmed"
    assert [mail["To"] for mail in outbox(app)] == [people[2].email]


def test_a_sessions_import_with_a_new_end_time_mails_it(app, client, booked):
    session, people = booked
    assert import_session_row(client, session, end="12:15").status_code == 302
    mails = {mail["To"]: mail for mail in outbox(app)}
    assert set(mails) == {person.email for person in people}
    event = calendar_in(mails[people[0].email]).events[0]
    assert event.end.astimezone(LOCAL).strftime("%H:%M") == "12:15" and event["SEQUENCE"] == 1


def test_the_history_names_who_planned_changed_and_cancelled_sessions(client, organiser):
    programme = ProgrammeFactory(organisation=organiser.organisation)
    db.session.commit()
    day = local_today() + timedelta(days=7)
    plan = {"first_day": day.isoformat(), "start": "10:00", "duration_minutes": "60", "capacity": "12", "weeks": "2"}
    plan["on_holidays"] = "y"  # two sessions whatever the date
    post_form(client, f"/nl/broker/programmes/{programme.id}/sessions/new", plan)
    first, second = db.session.scalars(select(Session).order_by(Session.starts_at)).all()
    edit = {"day": day.isoformat(), "start": "10:30", "end": "11:30", "capacity": "12", "scope": "one"}
    post_form(client, f"/nl/broker/sessions/{first.id}/edit", edit)
    post_form(client, f"/nl/broker/sessions/{second.id}/cancel", {})
    changes = [(c.user_name, c.field, c.old_value, c.new_value) for c in reversed(editing.history(programme))]
    later = (day + timedelta(days=7)).isoformat()
    assert changes == [
        (organiser.display_name, "sessions.planned", "", f"2: {day} 10:00-11:00, 12 ... {later}"),
        (organiser.display_name, "session", f"{day} 10:00-11:00, 12", f"{day} 10:30-11:30, 12"),
        (organiser.display_name, "session.status", f"{later} 10:00-11:00, 12", "cancelled"),
    ]
    page = client.get(f"/nl/broker/programmes/{programme.id}").get_data(as_text=True)
    assert f"<bdi>{day} 10:30-11:30, 12</bdi>" in page  # isolated, so it reads left to right on Arabic pages
    assert "<td>Bijeenkomsten gepland</td>" in page and "<td>Bijeenkomst afgezegd</td>" in page


def test_appointment_slots_for_six_weeks(client, organiser):
    programme = ProgrammeFactory(organisation=organiser.organisation, location=LocationFactory())
    db.session.commit()
    tuesday = local_today() + timedelta(days=(1 - local_today().weekday()) % 7 or 7)
    plan = {"first_day": tuesday.isoformat(), "start": "09:00", "until": "12:00", "duration_minutes": "30"}
    response = post_form(
        client,
        f"/nl/broker/programmes/{programme.id}/sessions/new",
        plan | {"capacity": "1", "weeks": "6", "on_holidays": "y"},
    )
    assert response.status_code == 302
    slots = db.session.scalars(select(Session).where(Session.programme_id == programme.id)).all()
    assert len(slots) == 36 and {slot.capacity for slot in slots} == {1}
    times = sorted({slot.starts_at.astimezone(LOCAL).strftime("%H:%M") for slot in slots})
    assert times == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


@pytest.mark.parametrize(
    ("until", "duration"),
    [("09:20", "30"), ("08:00", "30"), ("23:59", "5")],  # too short, before the start, more than 48 a day
)
def test_impossible_slot_plans_are_refused_and_save_nothing(client, organiser, until, duration):
    programme = ProgrammeFactory(organisation=organiser.organisation)
    db.session.commit()
    tuesday = local_today() + timedelta(days=7)
    plan = {"first_day": tuesday.isoformat(), "start": "09:00", "until": until, "duration_minutes": duration}
    response = post_form(
        client,
        f"/en/broker/programmes/{programme.id}/sessions/new",
        plan | {"capacity": "1", "weeks": "1", "on_holidays": "y"},
    )
    assert response.status_code == 200 and "wp-alert--error" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Session)) == 0


@pytest.mark.parametrize(("hours", "saved"), [("24", 1440), ("0", 0), ("", 120)])
def test_the_cancel_cut_off_is_set_per_programme(client, organiser, hours, saved):
    LocationFactory(organisation=organiser.organisation)
    db.session.commit()
    data = {"nl-title": "Spreekuur", "nl-summary": "Een gesprek.", "category": "gezondheid"}
    response = post_form(client, "/nl/broker/programmes/new", data | {"cancel_cutoff_hours": hours})
    assert response.status_code == 302
    assert db.session.scalar(select(Programme.cancel_cutoff_minutes)) == saved


@pytest.mark.parametrize("hours", ["169", "-1", "twee", "1.5"])
def test_a_bad_cut_off_is_refused(client, organiser, hours):
    data = {"nl-title": "Spreekuur", "nl-summary": "Een gesprek.", "category": "gezondheid"}
    response = post_form(client, "/nl/broker/programmes/new", data | {"cancel_cutoff_hours": hours})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 0

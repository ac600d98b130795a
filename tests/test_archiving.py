"""Archiving a programme asks first, cancels its coming sessions and bookings with a mail, and leaves no dead link."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Booking, Programme, ProgrammeChange, Session
from portal.services.booking import places
from portal.services.listings.session_planning import local_moment, local_today
from tests.factories import OrganisationFactory, ProgrammeFactory, SessionFactory, UserFactory
from tests.support.accounts import post_form, sign_in
from tests.support.mail import outbox

SLUG_IN_A_ROUTE_MAP = "wandelgroep-park-de-gagel"


@pytest.fixture
def organiser(login):
    """A logged-in beweegmakelaar."""
    return login("broker", organisation=OrganisationFactory(name="Beweegmakelaars Overvecht", kind="brokerage"))


@pytest.fixture
def booked(organiser):
    """A programme named by a route map, two coming sessions (one full, one waiting), a past one."""
    programme = ProgrammeFactory(organisation=organiser.organisation, slug=SLUG_IN_A_ROUTE_MAP)
    soon = local_moment(local_today() + timedelta(days=3), time(10, 0))
    first = SessionFactory(capacity=2, starts_at=soon, programme=programme)
    SessionFactory(capacity=5, starts_at=soon + timedelta(days=7), programme=programme)
    past = SessionFactory(capacity=5, starts_at=soon - timedelta(days=10), programme=programme)
    people = [UserFactory(role="resident", locale=locale) for locale in ("nl", "tr", "ar")]
    for n, person in enumerate(people):
        places.book(person, first.id, f"archive-test-key-{n}")
    db.session.commit()
    return programme, people, past


def test_archiving_asks_first_and_names_bookings_and_route_maps(client, booked):
    programme, _people, _past = booked
    page = client.get(f"/en/broker/programmes/{programme.id}/archive")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 coming sessions will be cancelled" in html
    assert "3 bookings will be cancelled" in html
    assert "/en/routekaarten/meer-bewegen" in html
    db.session.refresh(programme)
    assert programme.status == "published"  # looking changes nothing


def test_archiving_cancels_the_coming_sessions_and_mails_each_resident_in_their_language(client, booked):
    programme, people, past = booked
    page = f"/nl/broker/programmes/{programme.id}/archive"
    assert post_form(client, page, {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).status == "archived"
    statuses = db.session.scalars(
        select(Session.status).where(Session.programme_id == programme.id, Session.id != past.id)
    )
    assert set(statuses) == {"cancelled"}
    assert db.session.get(Session, past.id).status == "scheduled"  # the past is left alone
    bookings = db.session.scalars(select(Booking)).all()
    assert {(b.status, b.cancelled_by) for b in bookings} == {("cancelled", "organiser")}
    mails = {mail["To"]: mail for mail in outbox(client.application)}
    assert {person.email for person in people} <= set(mails)
    assert {mails[person.email]["Content-Language"] for person in people} == {"nl", "tr", "ar"}
    names = db.session.scalars(select(ProgrammeChange.field).where(ProgrammeChange.programme_id == programme.id))
    assert {"status", "session.status"} <= set(names)


def test_after_archiving_the_residents_booking_says_cancelled_without_a_dead_link(app, client, booked):
    programme, people, _past = booked
    post_form(client, f"/nl/broker/programmes/{programme.id}/archive", {})
    booking = db.session.scalar(select(Booking).where(Booking.user_id == people[0].id))
    resident = app.test_client()
    sign_in(resident, people[0])
    html = resident.get(f"/en/bookings/{booking.id}").get_data(as_text=True)
    assert "/en/programmes/" + SLUG_IN_A_ROUTE_MAP not in html
    assert "no longer offered" in html
    assert resident.get(f"/en/programmes/{SLUG_IN_A_ROUTE_MAP}").status_code == 404


def test_an_archived_programme_is_not_archived_twice(client, booked):
    programme, _people, _past = booked
    post_form(client, f"/nl/broker/programmes/{programme.id}/archive", {})
    before = len(outbox(client.application))
    response = client.get(f"/nl/broker/programmes/{programme.id}/archive")
    assert response.status_code == 302
    assert len(outbox(client.application)) == before


def test_archiving_without_bookings_says_nobody_gets_mail(client, organiser):
    programme = ProgrammeFactory(organisation=organiser.organisation)
    db.session.commit()
    html = client.get(f"/en/broker/programmes/{programme.id}/archive").get_data(as_text=True)
    assert "nobody gets an email" in html
    assert post_form(client, f"/en/broker/programmes/{programme.id}/archive", {}).status_code == 302
    assert outbox(client.application) == []

"""Care relations made by both sides, ended by either; consult slots only for residents in the team's care."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Booking, CareRelation, Message
from portal.models.base import utcnow
from portal.services.messaging import care_relations, threads
from portal.services.messaging.care_relations import CareError
from tests.factories import OrganisationFactory, ProgrammeFactory, SessionFactory, UserFactory
from tests.support.accounts import csrf_token, post_form, sign_in
from tests.support.mail import outbox


@pytest.fixture
def buurtteam():
    organisation = OrganisationFactory(name="Buurtteam Overvecht", kind="buurtteam")
    db.session.commit()
    return organisation


def test_a_printed_code_joins_the_resident_once(app, client, login, buurtteam):
    worker = UserFactory(role="professional", organisation=buurtteam, display_name="Sanne")
    staff = app.test_client()
    sign_in(staff, worker)
    page = post_form(staff, "/nl/professional/invite", {"email": ""})
    code = re.search(r'class="wp-code" dir="ltr">([A-Z0-9-]+)<', page.get_data(as_text=True)).group(1)
    resident = login("resident")
    # Typed with spaces and in small letters, it still works.
    typed = " " + code.lower().replace("-", " ") + " "
    assert post_form(client, "/nl/care-team/join", {"code": typed}).status_code == 303
    relation = db.session.scalar(select(CareRelation))
    assert relation.status == "active" and relation.resident_id == resident.id and relation.invited_by_id == worker.id
    index = client.get("/nl/care-team").get_data(as_text=True)
    assert "Buurtteam Overvecht" in index and "Sanne" in index
    # The code works once: another resident gets a message.
    other = app.test_client()
    sign_in(other, UserFactory(role="resident", second_factor="email"))
    assert post_form(other, "/nl/care-team/join", {"code": code}).status_code == 400


def test_an_invitation_by_mail_holds_the_code_and_nothing_else(app, buurtteam):
    worker = UserFactory(role="professional", organisation=buurtteam)
    staff = app.test_client()
    sign_in(staff, worker)
    post_form(staff, "/nl/professional/invite", {"email": "fatma@example.org"})
    mail = [m for m in outbox(app) if m["To"] == "fatma@example.org"][0]
    assert re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", mail.get_content())
    assert post_form(staff, "/nl/professional/invite", {"email": "geen-adres"}).status_code == 400


def test_wrong_codes_are_counted_and_then_refused(app, client, login, buurtteam):
    login("resident")
    for _ in range(10):
        assert post_form(client, "/nl/care-team/join", {"code": "AAAAA-BBBBB"}).status_code == 400
    worker = UserFactory(role="professional", organisation=buurtteam)
    _relation, code = care_relations.invite(worker)
    db.session.commit()
    refused = post_form(client, "/nl/care-team/join", {"code": code})
    assert refused.status_code == 400 and db.session.scalar(select(CareRelation.status)) == "invited"


def test_a_resident_asks_and_the_team_confirms_or_declines(app, client, login, buurtteam):
    resident = login("resident")
    assert "Buurtteam Overvecht" in client.get(f"/nl/care-team/ask/{buurtteam.id}").get_data(as_text=True)
    post_form(client, f"/nl/care-team/ask/{buurtteam.id}", {})
    post_form(client, f"/nl/care-team/ask/{buurtteam.id}", {})  # twice: one request
    relations = db.session.scalars(select(CareRelation)).all()
    assert len(relations) == 1 and relations[0].status == "requested"
    worker = UserFactory(role="professional", organisation=buurtteam)
    stranger = UserFactory(role="professional", organisation=OrganisationFactory())
    with pytest.raises(CareError):
        care_relations.answer_request(stranger, relations[0], accept=True)
    staff = app.test_client()
    sign_in(staff, worker)
    assert resident.display_name in staff.get("/nl/professional/").get_data(as_text=True)
    response = post_form(
        staff, f"/nl/professional/relations/{relations[0].id}/accept", {}, token_from="/nl/professional/"
    )
    assert response.status_code == 303
    db.session.refresh(relations[0])
    assert relations[0].status == "active" and relations[0].confirmed_by_id == worker.id
    # Answering again from a stale page is refused, not applied twice.
    stale = post_form(
        staff, f"/nl/professional/relations/{relations[0].id}/decline", {}, token_from="/nl/professional/"
    )
    assert stale.status_code == 303
    db.session.refresh(relations[0])
    assert relations[0].status == "active"
    assert resident.email in [m["To"] for m in outbox(app)]


def test_either_side_ends_the_relation_and_access_ends_with_it(app, client, login, buurtteam):
    resident = login("resident")
    worker = UserFactory(role="professional", organisation=buurtteam)
    _relation, code = care_relations.invite(worker)
    relation = care_relations.accept_invitation(resident, code)
    thread = threads.start_thread(resident, buurtteam, "Vraag", "Tekst", "end-relation-key-001")
    db.session.commit()
    staff = app.test_client()
    sign_in(staff, worker)
    assert staff.get(f"/nl/professional/threads/{thread.id}").status_code == 200
    assert staff.get(f"/nl/professional/residents/{resident.id}").status_code == 200
    post_form(client, f"/nl/care-team/{relation.id}/end", {}, token_from="/nl/care-team")
    db.session.refresh(relation)
    assert relation.status == "ended" and relation.ended_by == "resident"
    assert staff.get(f"/nl/professional/threads/{thread.id}").status_code == 404
    assert staff.get(f"/nl/professional/residents/{resident.id}").status_code == 404
    # The resident still reads their own thread.
    assert client.get(f"/nl/messages/{thread.id}").status_code == 200


def test_every_look_at_a_resident_is_on_their_who_viewed_page(app, client, login, buurtteam):
    resident = login("resident")
    worker = UserFactory(role="professional", organisation=buurtteam, display_name="Sanne de Vries")
    _relation, code = care_relations.invite(worker)
    care_relations.accept_invitation(resident, code)
    thread = threads.start_thread(resident, buurtteam, "Vraag", "Tekst", "viewed-by-key-000001")
    db.session.commit()
    staff = app.test_client()
    sign_in(staff, worker)
    staff.get(f"/nl/professional/residents/{resident.id}")
    staff.get(f"/nl/professional/threads/{thread.id}")
    page = client.get("/nl/account/viewed-by").get_data(as_text=True)
    assert page.count("Sanne de Vries") >= 2


def consult_hour(organisation):
    """The buurtteam's consultation hour at the practice: a care-team-only programme with one slot."""
    programme = ProgrammeFactory(organisation=organisation, status="care_team", slug="spreekuur-buurtteam")
    return SessionFactory(
        programme=programme, capacity=1, starts_at=utcnow().replace(microsecond=0) + timedelta(days=3)
    )


def test_consult_slots_are_only_for_residents_in_care_and_offered_from_a_thread(app, client, login, buurtteam):
    resident = login("resident")
    worker = UserFactory(role="professional", organisation=buurtteam)
    slot = consult_hour(buurtteam)
    db.session.commit()
    # Not on the social map, not bookable without a care relation.
    assert client.get("/nl/programmes/spreekuur-buurtteam").status_code == 404
    assert "spreekuur" not in client.get("/nl/programmes").get_data(as_text=True)
    assert client.get(f"/nl/bookings/book/{slot.id}").status_code == 404
    _relation, code = care_relations.invite(worker)
    care_relations.accept_invitation(resident, code)
    thread = threads.start_thread(resident, buurtteam, "Afspraak?", "Kan ik langskomen?", "slot-thread-key-0001")
    db.session.commit()
    assert f"/nl/bookings/book/{slot.id}" in client.get("/nl/care-team").get_data(as_text=True)
    # The worker offers the slot in the thread; the resident books it with one click.
    staff = app.test_client()
    sign_in(staff, worker)
    path = f"/nl/professional/threads/{thread.id}"
    page = staff.get(path).get_data(as_text=True)
    assert f'value="{slot.id}"' in page
    token = csrf_token(staff, path)
    offer = {"csrf_token": token, "body": "Komt dit uit?", "key": "slot-offer-key-00001", "slot": slot.id}
    sent = staff.post(path + "/reply", data=offer)
    assert sent.status_code == 303
    assert (
        db.session.scalar(select(Message.offered_session_id).where(Message.offered_session_id.is_not(None))) == slot.id
    )
    page = client.get(f"/nl/messages/{thread.id}").get_data(as_text=True)
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    booked = client.post(
        f"/nl/bookings/book/{slot.id}", data={"csrf_token": csrf_token(client, f"/nl/messages/{thread.id}"), "key": key}
    )
    assert booked.status_code == 303
    assert db.session.scalar(select(Booking.status)) == "confirmed"


def test_a_slot_of_another_team_cannot_be_offered(app, client, buurtteam):
    resident = UserFactory(role="resident")
    worker = UserFactory(role="professional", organisation=buurtteam)
    _relation, code = care_relations.invite(worker)
    care_relations.accept_invitation(resident, code)
    thread = threads.start_thread(resident, buurtteam, "Vraag", "Tekst", "slot-other-key-00001")
    foreign = consult_hour(OrganisationFactory())
    db.session.commit()
    sign_in(client, worker)
    path = f"/nl/professional/threads/{thread.id}"
    response = client.post(
        path + "/reply",
        data={
            "csrf_token": csrf_token(client, path),
            "body": "Kijk",
            "key": "slot-bad-key-0000001",
            "slot": foreign.id,
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(Message)) == 1


def test_a_consultation_hour_every_other_week(app):
    from datetime import date, time

    from portal.services.listings.session_planning import SessionPlan, plan

    team = OrganisationFactory(kind="buurtteam")
    worker = UserFactory(role="professional", organisation=team)
    programme = ProgrammeFactory(organisation=team, status="care_team")
    monday = date.today() + timedelta(days=7 - date.today().weekday() + 7)
    slots = plan(
        programme,
        SessionPlan(
            first_day=monday,
            start=time(9, 0),
            duration_minutes=30,
            capacity=1,
            weeks=3,
            until=time(10, 0),
            every_weeks=2,
            on_holidays=True,
        ),
        worker,
    )
    days = sorted({slot.starts_at.date() for slot in slots})
    assert len(slots) == 6 and [(day - days[0]).days for day in days] == [0, 14, 28]

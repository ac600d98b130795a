"""Referral pages: referring, the receiving team's answer, the handover thread, booking, the resident's view, access."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Booking, Message, Referral, ReferralEvent
from tests.factories import OrganisationFactory, ProgrammeFactory, SessionFactory, UserFactory
from tests.support.accounts import csrf_token, sign_in
from tests.support.care import in_care
from tests.support.mail import outbox


@pytest.fixture
def world(app):
    """A resident of the GP practice, the beweegmakelaars' Beweegconsult with a session, and outsiders."""
    practice = OrganisationFactory(name="Huisartsenpraktijk Overvecht", kind="practice")
    brokers = OrganisationFactory(name="Beweegmakelaars Overvecht", kind="brokerage", email="bm@example.org")
    resident = UserFactory(role="resident", display_name="Ayse", locale="tr")
    gp = in_care(resident, practice, display_name="Dokter Jansen")
    broker = UserFactory(role="broker", organisation=brokers, display_name="Bram")
    programme = ProgrammeFactory(organisation=brokers, status="published", slug="beweegconsult")
    session = SessionFactory(programme=programme, capacity=2)
    db.session.commit()
    return {
        "practice": practice,
        "brokers": brokers,
        "resident": resident,
        "gp": gp,
        "broker": broker,
        "programme": programme,
        "session": session,
    }


def as_user(client, user):
    sign_in(client, user)
    return client


def refer(client, world, agreement="consultation", note="Mevrouw wil meer bewegen, maar durft niet alleen."):
    as_user(client, world["gp"])
    path = "/nl/professional/referrals/new?programme=beweegconsult&route_map=meer-bewegen&gezondheidsvaardigheden=laag"
    page = client.get(path)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Is er plaats?" in body or "Is there room?" in body
    key = re.search(r'name="key"[^>]*value="([^"]+)"', body).group(1)
    return client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "key": key,
            "resident": world["resident"].id,
            "gezondheidsvaardigheden": "laag",
            "motivatie": "laag",
            "note": note,
            "agreement": agreement,
            "route_map": "meer-bewegen",
            "step": "",
        },
    )


def version_of(referral_id):
    db.session.expire_all()
    return db.session.get(Referral, referral_id).version


def post(client, path, data, page):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def test_a_gp_refers_the_broker_accepts_offers_a_session_the_resident_books_and_the_loop_closes(app, client, world):
    response = refer(client, world)
    assert response.status_code == 303
    referral = db.session.scalar(select(Referral))
    assert (
        referral.status == "requested" and referral.health_literacy == "laag" and referral.route_map == "meer-bewegen"
    )
    assert any(mail["To"] == "bm@example.org" for mail in outbox(app))

    as_user(client, world["broker"])
    listing = client.get("/nl/professional/referrals").get_data(as_text=True)
    assert "Ayse" in listing
    page = f"/nl/professional/referrals/{referral.id}"
    detail = client.get(page).get_data(as_text=True)
    assert "durft niet alleen" in detail
    status_path = f"/nl/professional/referrals/{referral.id}/status"
    response = post(client, status_path, {"status": "accepted", "version": version_of(referral.id)}, page)
    assert response.status_code == 303
    body = client.get(page).get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]+)"', body).group(1)
    write = f"/nl/professional/referrals/{referral.id}/write"
    response = post(client, write, {"body": "Welkom! Komt dinsdag?", "key": key, "slot": world["session"].id}, page)
    assert response.status_code == 303
    db.session.expire_all()
    message = db.session.scalar(select(Message).where(Message.offered_session_id.is_not(None)))
    assert message is not None and db.session.get(Referral, referral.id).first_contact_at is not None

    as_user(client, world["resident"])
    mine = f"/tr/referrals/{referral.id}"
    body = client.get(mine).get_data(as_text=True)
    assert "Welkom! Komt dinsdag?" in body and "durft niet alleen" in body
    response = post(client, f"/tr/referrals/{referral.id}/book", {"message": message.id, "key": "k" * 20}, mine)
    assert response.status_code == 303
    booking = db.session.scalar(select(Booking))
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).booking_id == booking.id and booking.status == "confirmed"
    slot = booking.session
    booked = f'<dt>Booked</dt><dd><time datetime="{slot.starts_at.isoformat()}">'
    title = f"</time>, {slot.programme.text('en').title}</dd>"
    resident_page = client.get(f"/en/referrals/{referral.id}").get_data(as_text=True)
    assert booked in resident_page and title in resident_page

    as_user(client, world["broker"])
    team_page = client.get(f"/en/professional/referrals/{referral.id}").get_data(as_text=True)
    assert booked in team_page and title in team_page
    response = post(
        client, status_path, {"status": "completed", "reason": "got_help", "version": version_of(referral.id)}, page
    )
    assert response.status_code == 303
    as_user(client, world["gp"])
    sent = client.get("/nl/professional/referrals?box=sent&state=closed").get_data(as_text=True)
    assert "Ayse" in sent
    assert "Afgerond" in client.get(page).get_data(as_text=True) or "Completed" in client.get(page).get_data(
        as_text=True
    )


def test_a_draft_waits_for_the_resident_who_agrees_in_the_portal(client, world):
    refer(client, world, agreement="resident")
    referral = db.session.scalar(select(Referral))
    assert referral.status == "draft"
    as_user(client, world["broker"])
    assert client.get(f"/nl/professional/referrals/{referral.id}").status_code == 404
    as_user(client, world["resident"])
    page = f"/nl/referrals/{referral.id}"
    assert client.get(page).status_code == 200
    response = post(client, f"/nl/referrals/{referral.id}/agree", {"version": referral.version}, page)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "requested"


def test_the_resident_stops_a_referral_with_a_reason(client, world):
    refer(client, world)
    referral = db.session.scalar(select(Referral))
    as_user(client, world["resident"])
    page = f"/nl/referrals/{referral.id}"
    response = post(client, f"/nl/referrals/{referral.id}/decline", {"version": referral.version}, page)
    assert response.status_code == 400
    data = {"version": referral.version, "reason": "no_longer_interested"}
    assert post(client, f"/nl/referrals/{referral.id}/decline", data, page).status_code == 303
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "cancelled"


def test_a_stale_page_and_bad_changes_are_refused_with_a_message(client, world):
    refer(client, world)
    referral = db.session.scalar(select(Referral))
    as_user(client, world["broker"])
    page = f"/en/professional/referrals/{referral.id}"
    path = f"/en/professional/referrals/{referral.id}/status"
    old = referral.version
    assert post(client, path, {"status": "accepted", "version": old}, page).status_code == 303
    stale = post(client, path, {"status": "rejected", "reason": "not_eligible", "version": old}, page)
    assert (
        stale.status_code == 409
        and "in de tussentijd" in stale.get_data(as_text=True).lower()
        or stale.status_code == 409
    )
    for data in (
        {"status": "bogus", "version": version_of(referral.id)},
        {"status": "failed", "reason": "bogus", "version": version_of(referral.id)},
        {"status": "failed", "version": version_of(referral.id)},
        {"status": "failed", "reason": "other", "note": "x" * 1001, "version": version_of(referral.id)},
        {"status": "failed", "version": "2147483648"},
    ):
        assert post(client, path, data, page).status_code in (400, 409), data
    assert db.session.get(Referral, referral.id).status == "accepted"


def test_bad_referral_forms_are_refused(client, world):
    assert refer(client, world, note="x" * 1_000_000).status_code in (400, 413)
    world["programme"].status = "archived"
    db.session.commit()
    page = client.get("/nl/professional/referrals/new?programme=beweegconsult")
    assert page.status_code == 400
    assert db.session.scalar(select(Referral)) is None


def test_only_the_people_of_the_referral_see_it(client, world):
    refer(client, world)
    referral = db.session.scalar(select(Referral))
    outsiders = [
        UserFactory(role="professional", organisation=OrganisationFactory(kind="physio")),
        UserFactory(role="resident"),
        UserFactory(role="admin"),
        UserFactory(role="professional", organisation=world["practice"]),  # a colleague, resident not in care? in care
    ]
    for outsider in outsiders[:2]:
        as_user(client, outsider)
        assert client.get(f"/nl/professional/referrals/{referral.id}").status_code in (403, 404)
        assert client.get(f"/nl/referrals/{referral.id}").status_code in (403, 404)
    as_user(client, outsiders[2])
    assert client.get(f"/nl/professional/referrals/{referral.id}").status_code in (403, 404)
    as_user(client, outsiders[3])  # same practice: the resident is in the practice's care
    assert client.get(f"/nl/professional/referrals/{referral.id}").status_code == 200
    as_user(client, world["gp"])
    assert client.get("/nl/professional/referrals/2147483648").status_code == 404


def test_the_handover_thread_opens_on_the_referral_page(client, world):
    refer(client, world)
    referral = db.session.scalar(select(Referral))
    as_user(client, world["resident"])
    response = client.get(f"/nl/messages/{referral.thread_id}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/nl/referrals/{referral.id}")
    as_user(client, world["broker"])
    response = client.get(f"/nl/professional/threads/{referral.thread_id}")
    assert response.status_code == 303


def test_voiding_keeps_the_referral_and_its_reason(client, world):
    refer(client, world)
    referral = db.session.scalar(select(Referral))
    page = f"/nl/professional/referrals/{referral.id}"
    assert post(client, f"{page}/void", {"version": referral.version, "note": ""}, page).status_code == 400
    assert (
        post(client, f"{page}/void", {"version": referral.version, "note": "Verkeerde bewoner"}, page).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "entered-in-error"
    event = db.session.scalar(select(ReferralEvent).order_by(ReferralEvent.id.desc()))
    assert event.note == "Verkeerde bewoner" and event.reason == "made_by_mistake"


def test_the_data_copy_holds_the_referrals_and_erasure_removes_them(app, client, world):
    from portal.models import Thread
    from portal.services.privacy.erasure import erase_account

    refer(client, world)
    referral_id = db.session.scalar(select(Referral.id))
    as_user(client, world["resident"])
    data = client.get("/nl/account/data.json").get_json()
    assert data["referrals"][0]["note"].startswith("Mevrouw wil") and data["referrals"][0]["status"] == "requested"
    assert [h["status"] for h in data["referrals"][0]["history"] if h["what"] == "status"] == ["draft", "requested"]
    assert "durft niet alleen" in client.get("/nl/account/data").get_data(as_text=True)
    erase_account(db.session.get(type(world["resident"]), world["resident"].id))
    db.session.commit()
    assert db.session.get(Referral, referral_id) is None
    assert db.session.scalar(select(ReferralEvent)) is None and db.session.scalar(select(Thread)) is None


def test_the_workspace_pages_by_25_with_overdue_loops_first(client, world):
    from datetime import timedelta

    from sqlalchemy import update

    from portal.models.base import utcnow
    from portal.services.referrals.referrals import NewReferral, create
    from portal.services.routekaarten.content import current_catalogue

    ids = []
    for n in range(26):
        new = NewReferral(world["resident"], world["programme"], note=f"Nummer {n}", agreed_in_consultation=True)
        ids.append(create(world["gp"], new, current_catalogue()).id)
    db.session.execute(update(Referral).where(Referral.id == ids[-1]).values(changed_at=utcnow() - timedelta(days=30)))
    db.session.commit()
    as_user(client, world["gp"])
    first = client.get("/en/professional/referrals?box=sent").get_data(as_text=True)
    assert first.count("<tr") == 26 and 'rel="next"' in first  # a header row and 25 referrals
    assert first.index("wp-row--overdue") < first.index("Ayse")  # the overdue loop leads
    second = client.get("/en/professional/referrals?box=sent&page=2").get_data(as_text=True)
    assert second.count("<tr") == 2 and 'rel="prev"' in second and 'rel="next"' not in second
    assert client.get("/en/professional/referrals?box=sent&page=99999999999").status_code == 200

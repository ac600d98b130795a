"""Pages about data read as words in local time, in the reader's language; every account change is logged."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from portal.services import audit
from portal.services.booking import places
from portal.services.listings.session_planning import local_moment, local_today
from tests.factories import OrganisationFactory, ProgrammeFactory, SessionFactory, UserFactory
from tests.support.accounts import post_form, sign_in
from tests.support.mail import link_in, outbox
from tests.support.queries import count_queries

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
CODES = ("confirmed", "waitlisted", "organiser", "activity_news", "success", "ended_by_user", "totp")


def _text(html: str) -> str:
    """The words a person reads: tags, and attribute values such as datetime="…", taken out."""
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def booked_resident(client, login):
    resident = login("resident", locale="tr", display_name="Ayşe Demir")
    session = SessionFactory(starts_at=local_moment(local_today() + timedelta(days=2), time(10, 0)))
    places.book(resident, session.id, "audit-pages-key-0001")
    db.session.commit()
    return resident


@pytest.mark.parametrize("lang", ["nl", "en", "tr", "ar"])
def test_my_data_page_reads_as_words_in_local_time(client, booked_resident, lang):
    post_form(client, "/nl/account/consents/activity_news/give", {}, token_from="/nl/account")
    words = _text(client.get(f"/{lang}/account/data").get_data(as_text=True))
    assert not ISO.search(words), ISO.search(words)
    for code in CODES:
        if not (lang == "en" and code == "confirmed"):  # "Email address confirmed on" is English for a label
            assert re.search(rf"\b{code}\b", words) is None, code
    assert {"nl": "Turks", "en": "Turkish", "tr": "Türkçe", "ar": "التركية"}[lang] in words


def test_my_data_download_keeps_iso_times_and_codes(client, booked_resident):
    data = client.get("/en/account/data.json").get_json()
    assert ISO.match(data["account"]["created_at"]) and data["bookings"][0]["status"] == "confirmed"


@pytest.fixture
def coordinator(client, login):
    return login("admin", display_name="Coördinator Co")


def test_the_audit_log_shows_local_time_names_and_words(client, coordinator):
    resident = UserFactory(display_name="Jan de Vries")
    programme = ProgrammeFactory()
    session = SessionFactory(
        programme=programme, starts_at=local_moment(local_today() + timedelta(days=2), time(10, 0))
    )
    booking = places.book(resident, session.id, "audit-pages-key-0002").booking
    broker = UserFactory(role="broker", display_name="Bram Beweeg", organisation=programme.organisation)
    event = audit.record(
        broker, "read", "booking", context=audit.AuditContext(), object_id=booking.id, subject=resident
    )
    event.occurred_at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 13:00 in Amsterdam
    db.session.commit()
    html = client.get(f"/en/admin/audit?subject={resident.id}").get_data(as_text=True)
    words = _text(html)
    assert "1 December 2026, 13:00" in words and "12:00" not in words
    assert "Bram Beweeg" in words and "Jan de Vries" in words and f"#{resident.id}" not in words
    assert programme.text("en").title in words
    assert "done" in words and "success" not in words


def test_the_audit_log_page_asks_few_queries_for_fifty_records(client, coordinator):
    people = UserFactory.create_batch(10)
    sessions = SessionFactory.create_batch(5)
    bookings = [
        places.book(person, sessions[n % 5].id, f"audit-query-key-{n:04d}").booking for n, person in enumerate(people)
    ]
    context = audit.AuditContext()
    for n in range(50):
        audit.record(
            coordinator, "read", "booking", context=context, object_id=bookings[n % 10].id, subject=people[n % 10]
        )
    db.session.commit()
    with count_queries() as statements:
        assert client.get("/en/admin/audit").status_code == 200
    assert len(statements) <= 20, len(statements)


def _details(subject_id=None):
    query = select(AuditEvent.details).where(AuditEvent.object_type.in_(("account", "invitation")))
    if subject_id is not None:
        query = query.where(AuditEvent.subject_user_id == subject_id)
    return set(db.session.scalars(query))


def test_every_change_a_person_makes_to_their_account_is_logged(client, login):
    user = login("resident")
    post_form(client, "/nl/account/language", {"language": "en"}, token_from="/nl/account")
    post_form(client, "/nl/account/consents/activity_news/give", {}, token_from="/nl/account")
    post_form(client, "/nl/account/consents/activity_news/withdraw", {}, token_from="/nl/account")
    other = sign_in(client.application.test_client(), user)
    post_form(client, f"/nl/account/logins/{other.id}/end", {}, token_from="/nl/account")
    post_form(client, "/nl/account/second-factor/email", {}, token_from="/nl/account/second-factor")
    assert {"language", "consent_give", "consent_withdraw", "login_ended", "second_factor_email"} <= _details(user.id)


def test_registering_confirming_and_resetting_are_logged(app, client):
    data = {"email": "new@example.org", "password": "a long and unusual password 42", "display_name": "Nieuw"}
    post_form(client, "/nl/register", data | {"password_confirm": "a long and unusual password 42", "language": "nl"})
    mails = [m for m in outbox(app) if m["To"] == "new@example.org"]
    assert mails, "no confirmation mail"
    link = link_in(mails[-1]).replace("http://localhost", "")
    post_form(client, link, {})
    post_form(client, "/nl/password/forgotten", {"email": "new@example.org"})
    reset = link_in([m for m in outbox(app) if m["To"] == "new@example.org"][-1]).replace("http://localhost", "")
    post_form(client, reset, {"password": "another long password 43", "password_confirm": "another long password 43"})
    assert {"registered", "email_confirmed", "password_reset"} <= _details()


def test_inviting_revoking_and_accepting_are_logged(app, client, coordinator):
    organisation = OrganisationFactory()
    db.session.commit()
    invite = {"email": "pro@example.org", "role": "professional", "organisation": organisation.id, "language": "nl"}
    post_form(client, "/nl/admin/invitations", invite)
    post_form(client, "/nl/admin/invitations", invite | {"email": "gone@example.org"})
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "invitation")).all()
    assert [(e.action, e.details, e.actor_user_id) for e in events] == [("create", "professional", coordinator.id)] * 2
    post_form(client, f"/nl/admin/invitations/{events[1].object_id}/revoke", {}, token_from="/nl/admin/invitations")
    assert ("delete", events[1].object_id) in {
        (e.action, e.object_id)
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "invitation"))
    }
    link = link_in([m for m in outbox(app) if m["To"] == "pro@example.org"][-1]).replace("http://localhost", "")
    newcomer = app.test_client()
    form = {"display_name": "Pro Fessional", "password": "a long and unusual password 42", "language": "nl"}
    post_form(newcomer, link, form | {"password_confirm": "a long and unusual password 42"})
    assert "from_invitation" in _details()

"""A resident's data: a full copy (JSON and readable), consents given and withdrawn, and erasure without residue."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import String, Text, select

from portal.extensions import db
from portal.models import (
    AccountToken,
    Attachment,
    AuditEvent,
    Booking,
    CalendarFeed,
    CareRelation,
    Consent,
    HealthCheck,
    HealthCheckEstimate,
    HealthCheckReminder,
    HealthCheckShare,
    Invitation,
    InvolvementConsent,
    LoginSession,
    Message,
    MessageReceipt,
    RecoveryCode,
    Referral,
    Thread,
    ThreadEvent,
    User,
)
from portal.models.base import Base
from portal.services import audit
from portal.services.accounts import invitations, registration, second_factor
from portal.services.accounts import mail as account_mail
from portal.services.booking import calendar_feeds, places
from portal.services.privacy import consent
from tests.factories import TEST_PASSWORD, OrganisationFactory, SessionFactory, UserFactory
from tests.support.accounts import post_form, sign_in
from tests.support.mail import outbox


def test_the_privacy_page_is_public_and_plain(client):
    response = client.get("/nl/privacy")
    assert response.status_code == 200
    assert "Autoriteit Persoonsgegevens" in response.get_data(as_text=True)


def test_a_resident_downloads_all_their_data(app, client, login):
    resident = login("resident", display_name="Fatma Yilmaz")
    consent.give(resident, "activity_news")
    db.session.commit()
    page = client.get("/nl/account/data")
    assert page.status_code == 200 and "Fatma Yilmaz" in page.get_data(as_text=True)
    download = client.get("/nl/account/data.json")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    data = json.loads(download.get_data(as_text=True))
    assert data["account"]["email"] == resident.email
    assert data["consents"][0]["purpose"] == "activity_news"
    assert len(data["logins"]) == 1


def test_consent_is_given_and_withdrawn_with_one_click_and_versioned(app, client, login):
    resident = login("resident")
    post_form(client, "/nl/account/consents/activity_news/give", {}, token_from="/nl/account")
    given = consent.current(resident, "activity_news")
    assert given is not None and given.version == consent.CONSENT_VERSIONS["activity_news"] and given.given_at
    post_form(client, "/nl/account/consents/activity_news/withdraw", {}, token_from="/nl/account")
    db.session.expire_all()
    assert consent.current(resident, "activity_news") is None
    history = consent.history(resident)
    assert len(history) == 1 and history[0].withdrawn_at is not None
    assert post_form(client, "/nl/account/consents/unknown/give", {}, token_from="/nl/account").status_code == 404


def test_a_new_text_version_asks_for_consent_again(app, monkeypatch):
    resident = UserFactory()
    consent.give(resident, "activity_news")
    monkeypatch.setitem(consent.CONSENT_VERSIONS, "activity_news", "2099-01")
    assert consent.current(resident, "activity_news") is None


def _seed_every_table(secret_key):
    """A resident with a row in every table that can hold their data."""
    organisation = OrganisationFactory()
    coordinator = UserFactory(role="admin", organisation=organisation)
    resident = UserFactory(
        email="fatma.yilmaz@example.org",
        display_name="Fatma Yilmaz",
        second_factor="totp",
        totp_secret=second_factor.new_totp_secret(),
    )
    second_factor.new_recovery_codes(resident)
    registration.issue_link(secret_key, resident, "reset_password")
    consent.give(resident, "activity_news")
    invitations.invite(secret_key, coordinator, "fatma.yilmaz@example.org", "broker", organisation)
    from portal.services.accounts import login_sessions

    session = SessionFactory(capacity=1)
    places.book(resident, session.id, "fatma-key-0123456789")
    places.book(UserFactory(email="next@example.org"), session.id, "next-key-0123456789")
    calendar_feeds.new_feed(resident)
    login, _ = login_sessions.start(resident, "Mozilla/5.0 (Fatma's phone)")
    login_sessions.complete(login)
    audit.record(coordinator, "read", "account", context=audit.AuditContext("r1", "10.0.0.1"), subject=resident)
    audit.record(resident, "export", "account", context=audit.AuditContext("r2", "10.0.0.2"), subject=resident)
    account_mail.send_password_changed(resident)  # queued, not sent: the outbox holds name and address
    _seed_messaging(resident, organisation)
    db.session.commit()
    return resident


MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _seed_messaging(resident, organisation):
    """A care relation, an unused invitation to her address, a consent, a thread, a consultation, a handover."""
    from portal.services.messaging import attachments, care_relations, consultations, threads

    poh = UserFactory(role="professional", organisation=organisation)
    colleague = UserFactory(role="professional", organisation=organisation)
    _relation, code = care_relations.invite(poh)
    care_relations.accept_invitation(resident, code)
    care_relations.invite(poh, "fatma.yilmaz@example.org")
    buurtteam = OrganisationFactory(kind="buurtteam")
    consultations.give(resident, buurtteam)
    thread = threads.start_thread(resident, organisation, "Fatma's vraag", "Groet, Fatma Yilmaz", "fatma-thread-key-01")
    first = db.session.scalar(select(Message).where(Message.thread_id == thread.id))
    attachments.attach(first, attachments.check_all([attachments.Upload("fatma yilmaz.pdf", MINIMAL_PDF)]))
    threads.post(poh, thread, "Dag Fatma", "fatma-answer-key-001")
    threads.hand_over(poh, thread, colleague, "Fatma belt liever", thread.version)
    threads.mark_read(colleague, thread)
    consultations.start(poh, resident, buurtteam, "Over Fatma", "Kennen jullie Fatma?", "fatma-consult-key-01")
    _seed_referral(poh, resident, buurtteam)
    _seed_health_check(poh, resident, organisation)


def _seed_health_check(poh, resident, organisation):
    """Two checks (one with Fatma's words), shared with the practice once withdrawn, an estimate, a reminder."""
    from datetime import timedelta

    from portal.models.base import utcnow
    from portal.services.health_check import checks, estimates, sharing
    from portal.services.health_check.answers import Answers

    domains = {"body": 5, "mind": 6, "social": 7, "societal": 4}
    checks.record(resident, Answers(mark=5, domains=domains), taken_at=utcnow() - timedelta(days=30))
    texts = {"higher": "Fatma Yilmaz wil weer fietsen"}
    latest = checks.record(resident, Answers(mark=6, domains=domains, texts=texts, talk=("body",)), key="fatma-k1")
    sharing.share(resident, organisation)
    sharing.withdraw(resident, organisation.id)
    sharing.share(resident, organisation)
    estimates.record_estimate(poh, latest, "5", {"mind": "6"})
    db.session.add(HealthCheckReminder(resident_id=resident.id, every_weeks=6, next_at=utcnow() + timedelta(weeks=6)))


def _seed_referral(poh, resident, buurtteam):
    """A referral of the resident, sent, declined with a note, and its handover thread."""
    from portal.services.referrals import changes
    from portal.services.referrals.referrals import NewReferral, create
    from portal.services.routekaarten.content import current_catalogue

    new = NewReferral(resident=resident, organisation=buurtteam, note="Fatma wil hulp", agreed_in_consultation=True)
    referral = create(poh, new, current_catalogue())
    worker = UserFactory(role="professional", organisation=buurtteam)
    changes.change_status(worker, referral, "rejected", referral.version, "other", "Fatma woont buiten de wijk")


PERSONAL = ("fatma", "yilmaz", "fatma's phone")


def _residue() -> list[str]:
    """Every text cell in every table that still holds one of the resident's details."""
    found = []
    for table in Base.metadata.sorted_tables:
        text_columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        for row in db.session.execute(select(*text_columns)) if text_columns else []:
            for column, value in zip(text_columns, row, strict=True):
                if value and any(word in str(value).lower() for word in PERSONAL):
                    found.append(f"{table.name}.{column.name}")
    return found


def test_deleting_an_account_leaves_no_personal_data_and_keeps_the_audit_log(app, client):
    resident = _seed_every_table(app.config["SECRET_KEY"])
    seeded = {AccountToken, Consent, Invitation, LoginSession, RecoveryCode, AuditEvent, User}
    assert {m.__table__.name for m in seeded} >= {"account_tokens", "consents", "invitations", "login_sessions"}
    assert _residue()  # the search finds the data before
    for model in (HealthCheck, HealthCheckEstimate, HealthCheckShare, HealthCheckReminder):
        assert db.session.scalar(select(db.func.count()).select_from(model)) > 0, model.__name__
    audit_before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))

    resident_id = resident.id
    sign_in(client, resident)
    data = {"password": TEST_PASSWORD, "confirm": "y"}
    response = post_form(client, "/nl/account/delete", data)
    assert response.status_code == 302

    db.session.expire_all()
    assert _residue() == []
    assert db.session.scalar(select(db.func.count()).select_from(Referral)) == 0  # sealed notes: counted, not read
    erased = db.session.get(User, resident_id)
    assert erased.deleted_at is not None and not erased.is_active_account and erased.totp_secret is None
    for model in (AccountToken, Consent, LoginSession, RecoveryCode, Booking, CalendarFeed):
        assert db.session.scalars(select(model).where(model.user_id == resident_id)).all() == []
    # Threads, messages, receipts, the team's log, relations (and the invitation to her address), consents: gone.
    for model in (Thread, Message, MessageReceipt, ThreadEvent, CareRelation, InvolvementConsent, Attachment):
        assert db.session.scalar(select(db.func.count()).select_from(model)) == 0, model.__name__
    # Health checks (sealed: counted, not read), the estimates beside them, the shares and the reminder: gone.
    for model in (HealthCheck, HealthCheckEstimate, HealthCheckShare, HealthCheckReminder):
        assert db.session.scalar(select(db.func.count()).select_from(model)) == 0, model.__name__
    stored = [path for path in Path(app.config["PORTAL_ATTACHMENT_DIR"]).rglob("*") if path.is_file()]
    assert stored == []  # the files went with the rows, after the commit
    # The place the resident held went to the next on the waiting list, who was told by mail.
    promoted = db.session.scalar(select(Booking).join(Booking.user).where(User.email == "next@example.org"))
    assert promoted.status == "confirmed" and promoted.session.booked == 1
    assert "next@example.org" in [mail["To"] for mail in outbox(app)]
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == audit_before + 1
    assert client.get("/nl/account").status_code == 302
    assert registration.authenticate("fatma.yilmaz@example.org", TEST_PASSWORD) is None


def test_every_table_is_seeded_by_the_residue_test():
    """A new table must be added to _seed_every_table (and to the erasure) before it can hold personal data."""
    seeded = {"users", "organisations", "neighbourhoods", "login_sessions", "account_tokens", "recovery_codes"}
    seeded |= {"invitations", "consents", "audit_events", "bookings", "calendar_feeds", "outbox_mails"}
    seeded |= {"auth_throttle"}  # digests of addresses only, deleted with the account
    seeded |= {"care_relations", "involvement_consents", "threads", "messages", "message_receipts", "thread_events"}
    seeded |= {"away_periods", "attachments"}  # away periods: staff only
    seeded |= {"referrals", "referral_events"}
    seeded |= {"health_checks", "health_check_estimates", "health_check_shares", "health_check_reminders"}
    listings = {"locations", "programmes", "programme_texts", "programme_audiences", "programme_languages", "sessions"}
    listings |= {"programme_fits", "programme_changes"}  # staff names only, in the change history
    listings |= {"search_words"}  # the words of published programme texts, for the search
    assert {t.name for t in Base.metadata.sorted_tables} == seeded | listings


def test_deleting_asks_for_the_password_and_a_tick(app, client, login):
    login("resident")
    wrong = post_form(client, "/nl/account/delete", {"password": "not my password", "confirm": "y"})
    assert wrong.status_code == 200 and 'aria-invalid="true"' in wrong.get_data(as_text=True)
    unticked = post_form(client, "/nl/account/delete", {"password": TEST_PASSWORD})
    assert unticked.status_code == 200
    assert client.get("/nl/account").status_code == 200


def test_staff_cannot_delete_their_account_themselves(client, login):
    login("professional")
    assert client.get("/nl/account/delete").status_code == 403

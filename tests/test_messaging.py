"""Messaging: residents and their care team write in threads; the team inbox claims, hands over, closes, reopens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from portal.extensions import db
from portal.models import Message, MessageReceipt, Thread, ThreadEvent
from portal.models.base import utcnow
from portal.services.messaging import inbox, queries, threads
from portal.services.messaging import mail as message_mail
from portal.services.messaging.threads import MessagingError
from tests.factories import OrganisationFactory, UserFactory
from tests.support.accounts import csrf_token, post_form, sign_in
from tests.support.care import in_care
from tests.support.mail import outbox


@pytest.fixture
def practice():
    """A GP practice that answers within 3 working days."""
    organisation = OrganisationFactory(name="Huisartsenpraktijk Overvecht", kind="practice", email="team@example.org")
    db.session.commit()
    return organisation


def key(n: int = 0) -> str:
    return f"idempotency-key-{n:06d}"


def test_a_resident_writes_to_their_practice_and_the_team_answers(app, client, login, practice):
    resident = login("resident", display_name="Fatma")
    poh = in_care(resident, practice)
    page = client.get("/en/messages/new")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "112" in body and "088 130 96 70" in body and "3 working days" in body
    response = post_form(
        client,
        "/nl/messages/new",
        {
            "organisation": practice.id,
            "subject": "Vraag over mijn medicijnen",
            "body": "Mag ik dit samen nemen?",
            "key": key(),
        },
    )
    assert response.status_code == 303
    thread = db.session.scalar(select(Thread))
    assert thread.subject == "Vraag over mijn medicijnen" and thread.waiting_on == "team"
    assert thread.reply_due_at > utcnow()
    # The team mailbox hears of it, without content.
    mails = outbox(app)
    assert [m["To"] for m in mails] == ["team@example.org"]
    assert "medicijnen" not in mails[0].get_content() and "Mag ik" not in mails[0].get_content()
    # The POH answers: the thread is theirs, waits on the resident, and the resident gets a content-free mail.
    threads.post(poh, thread, "Ja, dat mag.", key(1))
    message_mail.notify_resident(resident, db.session.scalars(select(Message).order_by(Message.id.desc())).first())
    db.session.commit()
    assert thread.assignee_id == poh.id and thread.waiting_on == "resident"
    mails = outbox(app)
    assert mails[-1]["To"] == resident.email and "Ja, dat mag" not in mails[-1].get_content()
    # The resident reads the answer: receipts both ways.
    page = client.get(f"/nl/messages/{thread.id}").get_data(as_text=True)
    assert "Ja, dat mag." in page
    views = queries.messages_of(thread, poh)
    assert views[1].read_at is not None  # the POH sees the resident read the answer


def test_a_message_is_stored_sealed_and_read_back(app, client, login, practice):
    resident = login("resident")
    in_care(resident, practice)
    thread = threads.start_thread(resident, practice, "Geheim onderwerp", "Geheime inhoud 123", key())
    db.session.commit()
    raw = db.session.execute(text("SELECT subject, body FROM threads JOIN messages ON messages.thread_id = threads.id"))
    subject, body = raw.one()
    assert "Geheim" not in subject and "Geheime" not in body and subject.startswith("gAAAA")
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).subject == "Geheim onderwerp"


def test_without_a_care_relation_nobody_writes_or_reads(app, client, login, practice):
    resident = login("resident")
    with pytest.raises(MessagingError, match="no_relation"):
        threads.start_thread(resident, practice, "Hallo", "Hallo", key())
    assert client.get("/nl/messages/new").status_code == 200  # the page explains how to join
    other = UserFactory(role="resident")
    in_care(other, practice)
    thread = threads.start_thread(other, practice, "Van een ander", "Niet voor u", key())
    db.session.commit()
    assert client.get(f"/nl/messages/{thread.id}").status_code == 404
    assert (
        post_form(
            client, f"/nl/messages/{thread.id}/reply", {"body": "x", "key": key(2)}, token_from="/nl/messages"
        ).status_code
        == 404
    )


def test_two_professionals_claim_at_once_and_one_wins(app, practice):
    resident = UserFactory(role="resident")
    first = in_care(resident, practice)
    second = UserFactory(role="professional", organisation=practice)
    thread = threads.start_thread(resident, practice, "Vraag", "Tekst", key())
    db.session.commit()
    version = thread.version
    threads.claim(first, thread, version)
    db.session.commit()
    with pytest.raises(MessagingError, match="stale"):
        threads.claim(second, thread, version)
    db.session.rollback()
    assert db.session.get(Thread, thread.id).assignee_id == first.id


def test_a_stale_close_is_refused_and_handover_needs_a_colleague(app, practice):
    resident = UserFactory(role="resident")
    poh = in_care(resident, practice)
    colleague = UserFactory(role="professional", organisation=practice)
    stranger = UserFactory(role="professional", organisation=OrganisationFactory())
    thread = threads.start_thread(resident, practice, "Vraag", "Tekst", key())
    threads.claim(poh, thread, thread.version)
    old = thread.version
    with pytest.raises(MessagingError, match="bad_colleague"):
        threads.hand_over(poh, thread, stranger, "", thread.version)
    threads.hand_over(poh, thread, colleague, "Jij kent haar beter", thread.version)
    with pytest.raises(MessagingError, match="stale"):
        threads.close(poh, thread, old)
    threads.close(colleague, thread, thread.version)
    threads.reopen(colleague, thread, thread.version)
    db.session.commit()
    kinds = [e.kind for e in db.session.scalars(select(ThreadEvent).order_by(ThreadEvent.id))]
    assert kinds == ["claimed", "handed_over", "closed", "reopened"]
    note = db.session.scalar(select(ThreadEvent.note).where(ThreadEvent.kind == "handed_over"))
    assert note == "Jij kent haar beter"


def test_the_inbox_boxes_and_overdue_flag(app, client, practice):
    resident = UserFactory(role="resident")
    poh = in_care(resident, practice)
    sign_in(client, poh)
    old = threads.start_thread(resident, practice, "Oude vraag", "Tekst", key(1))
    old.reply_due_at = utcnow() - timedelta(hours=1)
    mine = threads.start_thread(resident, practice, "Mijn vraag", "Tekst", key(2))
    threads.claim(poh, mine, mine.version)
    db.session.commit()
    unassigned = client.get("/nl/professional/inbox?box=unassigned").get_data(as_text=True)
    assert "Oude vraag" in unassigned and "Mijn vraag" not in unassigned and "wp-row--overdue" in unassigned
    assert "Mijn vraag" in client.get("/nl/professional/inbox?box=mine").get_data(as_text=True)
    assert client.get("/nl/professional/inbox?box=everything").status_code == 404
    assert inbox.box_counts(poh, overdue=True) == {"unassigned": 1, "mine": 1, "overdue": 1}
    assert inbox.box_counts(poh) == {"unassigned": 1, "mine": 1}


def test_overdue_reminder_fires_once(app, practice):
    resident = UserFactory(role="resident")
    in_care(resident, practice)
    thread = threads.start_thread(resident, practice, "Vraag", "Tekst", key())
    thread.reply_due_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert message_mail.remind_overdue() == 1
    assert message_mail.remind_overdue() == 0
    mails = [m for m in outbox(app) if m["To"] == "team@example.org" and "inbox" in m.get_content()][-1:]
    assert len(mails) == 1 and "Tekst" not in mails[0].get_content()


def test_empty_too_long_and_nul_messages_are_refused(app, client, login, practice):
    resident = login("resident")
    in_care(resident, practice)
    thread = threads.start_thread(resident, practice, "Vraag", "Tekst", key())
    db.session.commit()
    path = f"/nl/messages/{thread.id}"
    for body in ("", "   ", "a" * 5001, "nul\x00byte"):
        response = post_form(client, path + "/reply", {"body": body, "key": key(9)}, token_from=path)
        assert response.status_code == 400, body[:10]
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1
    # A double click sends one message.
    token = csrf_token(client, path)
    for _ in range(2):
        response = client.post(path + "/reply", data={"csrf_token": token, "body": "Nog een vraag", "key": key(7)})
        assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Message)) == 2


def test_the_resident_chooses_when_mail_comes(app, client, login, practice):
    resident = login("resident")
    poh = in_care(resident, practice)
    post_form(client, "/nl/messages/notices", {"notice": "daily"}, token_from="/nl/messages")
    db.session.refresh(resident)
    assert resident.message_notice == "daily"
    thread = threads.start_thread(resident, practice, "Vraag", "Tekst", key())
    first = threads.post(poh, thread, "Antwoord 1", key(1))
    threads.post(poh, thread, "Antwoord 2", key(2))
    assert message_mail.notify_resident(resident, first) is False
    db.session.commit()
    assert message_mail.send_daily_summaries() == 1
    assert message_mail.send_daily_summaries() == 0
    summaries = [m for m in outbox(app) if m["To"] == resident.email]
    assert len(summaries) == 1 and re.search(r"\b2\b", summaries[0].get_content())
    assert post_form(client, "/nl/messages/notices", {"notice": "hourly"}, token_from="/nl/messages").status_code == 303
    db.session.refresh(resident)
    assert resident.message_notice == "daily"


def test_receipts_are_recorded_once_per_party(app, practice):
    resident = UserFactory(role="resident")
    poh = in_care(resident, practice)
    thread = threads.start_thread(resident, practice, "Vraag", "Tekst", key())
    assert threads.mark_read(poh, thread) == 1
    assert threads.mark_read(poh, thread) == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(MessageReceipt)) == 2  # author's own + the team's


def test_a_thread_page_marks_read_only_the_messages_it_showed(app, client, practice):
    resident = UserFactory(role="resident")
    poh = in_care(resident, practice)
    thread = threads.start_thread(resident, practice, "Vraag", "Tekst", key())
    shown = db.session.scalar(select(func.max(Message.id)).where(Message.thread_id == thread.id))
    later = threads.post(resident, thread, "Nog een vraag", key(2))  # arrives after the page read the thread
    assert threads.mark_read(poh, thread, up_to=shown) == 1
    db.session.commit()
    assert inbox.team_box(poh, "unassigned")[0][0].unread  # the later message is still new for the team
    assert threads.mark_read(poh, thread) == 1 and later.id > shown
    db.session.commit()
    sign_in(client, poh)
    assert client.get(f"/nl/professional/threads/{thread.id}").status_code == 200
    assert not inbox.team_box(poh, "unassigned")[0][0].unread


def test_a_megabyte_of_text_is_refused_whole(app, client, login, practice):
    resident = login("resident")
    in_care(resident, practice)
    thread = threads.start_thread(resident, practice, "Vraag", "Tekst", key())
    db.session.commit()
    path = f"/nl/messages/{thread.id}"
    response = post_form(client, path + "/reply", {"body": "a" * 2**20, "key": key(5)}, token_from=path)
    assert 400 <= response.status_code < 500
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1


def test_the_data_copy_holds_every_thread_and_message(app, client, login, practice):
    resident = login("resident")
    poh = in_care(resident, practice)
    thread = threads.start_thread(resident, practice, "Mijn vraag", "Eerste bericht", key())
    threads.post(poh, thread, "Het antwoord", key(1))
    db.session.commit()
    data = client.get("/nl/account/data.json").get_json()
    assert data["threads"][0]["subject"] == "Mijn vraag"
    assert [m["text"] for m in data["threads"][0]["messages"]] == ["Eerste bericht", "Het antwoord"]
    assert data["care_team"][0]["organisation"] == practice.name and data["care_team"][0]["status"] == "active"
    assert "Het antwoord" in client.get("/nl/account/data").get_data(as_text=True)


def test_a_consulted_team_can_no_longer_write_once_the_consent_is_withdrawn(app, practice):
    from portal.services.messaging import consultations

    resident = UserFactory(role="resident")
    poh = in_care(resident, practice)
    buurtteam = OrganisationFactory(kind="buurtteam")
    worker = UserFactory(role="professional", organisation=buurtteam)
    consultations.give(resident, buurtteam)
    thread = consultations.start(poh, resident, buurtteam, "Overleg", "Kennen jullie haar?", key())
    threads.post(worker, thread, "Ja", key(1))
    assert not threads.may_write(resident, thread)  # she reads along, she does not write here
    consultations.withdraw(resident, buurtteam.id)
    with pytest.raises(MessagingError, match="not_allowed"):
        threads.post(worker, thread, "Nog iets", key(2))
    assert threads.may_write(poh, thread)

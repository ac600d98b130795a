"""The `flask messages` commands: key rotation, overdue reminders, daily summaries, away periods."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import Text, select, type_coerce

from portal.extensions import db
from portal.models import Attachment, Message, Referral, Thread
from portal.models.base import utcnow
from portal.services.messaging import attachments, away, care_relations, threads
from portal.services.referrals.referrals import NewReferral, create
from portal.services.routekaarten.content import current_catalogue
from tests.factories import OrganisationFactory, UserFactory
from tests.test_message_attachments import PDF


def _thread_with_file():
    practice = OrganisationFactory(email="team@example.org")
    resident = UserFactory(role="resident")
    poh = UserFactory(role="professional", organisation=practice)
    _relation, code = care_relations.invite(poh)
    care_relations.accept_invitation(resident, code)
    thread = threads.start_thread(resident, practice, "Onderwerp", "Inhoud van het bericht", "rotate-key-00000001")
    message = db.session.scalar(select(Message).where(Message.thread_id == thread.id))
    attachments.attach(message, attachments.check_all([attachments.Upload("brief.pdf", PDF)]))
    db.session.commit()
    return thread, poh


def test_rotating_the_key_leaves_everything_readable_with_the_new_key_alone(make_app, tmp_path):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    folder = str(tmp_path / "files")
    first = make_app(PORTAL_MESSAGE_KEYS=old, PORTAL_ATTACHMENT_DIR=folder)
    with first.app_context():
        thread, poh = _thread_with_file()
        thread_id = thread.id
        new_referral = NewReferral(
            resident=thread.resident,
            organisation=OrganisationFactory(),
            note="Verwijsbrief",
            agreed_in_consultation=True,
        )
        referral_id = create(poh, new_referral, current_catalogue()).id
        db.session.commit()
    both = make_app(PORTAL_MESSAGE_KEYS=f"{new},{old}", PORTAL_ATTACHMENT_DIR=folder)
    with both.app_context():  # the runner reuses an app context that is already there
        result = both.test_cli_runner().invoke(args=["messages", "rotate-key", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "not opened by any key: 0" in result.output
    only_new = make_app(PORTAL_MESSAGE_KEYS=new, PORTAL_ATTACHMENT_DIR=folder)
    with only_new.app_context():
        thread = db.session.get(Thread, thread_id)
        assert thread.subject == "Onderwerp"
        body = db.session.scalar(select(Message.body).where(Message.thread_id == thread_id))
        assert body == "Inhoud van het bericht"
        assert db.session.get(Referral, referral_id).note == "Verwijsbrief"
        file = db.session.scalar(select(Attachment))
        assert file.filename == "brief.pdf" and attachments.content(file) == PDF
        raw = db.session.scalar(select(type_coerce(Message.body, Text)))
        assert Fernet(new.encode()).decrypt(raw.encode()) == b"Inhoud van het bericht"
    assert any(Path(folder).rglob("*"))


def test_a_token_no_key_opens_is_reported_and_left_alone(make_app, tmp_path):
    folder = str(tmp_path / "files")
    first = make_app(PORTAL_MESSAGE_KEYS=Fernet.generate_key().decode(), PORTAL_ATTACHMENT_DIR=folder)
    with first.app_context():
        _thread_with_file()
    stranger = make_app(PORTAL_MESSAGE_KEYS=Fernet.generate_key().decode(), PORTAL_ATTACHMENT_DIR=folder)
    with stranger.app_context():
        result = stranger.test_cli_runner().invoke(args=["messages", "rotate-key"])
    assert result.exit_code == 1 and "not opened by any key: 4" in result.output


def test_a_bad_key_in_the_configuration_stops_the_start(make_app):
    import pytest

    from portal.config import ConfigError

    with pytest.raises(ConfigError, match="PORTAL_MESSAGE_KEYS"):
        make_app(PORTAL_MESSAGE_KEYS="not-a-key")


def test_remind_summaries_and_return_away_commands(app, runner):
    thread, poh = _thread_with_file()
    thread.reply_due_at = utcnow() - timedelta(hours=2)
    threads.claim(poh, thread, thread.version)
    away.set_away(poh, away.today() + timedelta(days=1), away.today() + timedelta(days=3), None)
    db.session.commit()
    assert "queued: 2" in runner.invoke(args=["messages", "remind"]).output  # the team address and the POH
    assert "queued: 0" in runner.invoke(args=["messages", "remind"]).output
    assert "queued: 0" in runner.invoke(args=["messages", "summaries"]).output
    # The away period starts tomorrow: nothing goes back today.
    assert "returned to their team: 0" in runner.invoke(args=["messages", "return-away"]).output
    period = away.planned(poh)[0]
    period.first_day = away.today()
    db.session.commit()
    assert "returned to their team: 1" in runner.invoke(args=["messages", "return-away"]).output
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).assignee_id is None

"""Health check reminders: choosing and stopping them, when one is due, and the content-free mail, sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import HealthCheckReminder, OutboxMail
from portal.services.health_check import checks, reminders
from portal.services.health_check.answers import Answers
from tests.factories import UserFactory
from tests.support.accounts import csrf_token

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def mails() -> list[OutboxMail]:
    statement = select(OutboxMail).where(OutboxMail.template == "health_check_reminder").order_by(OutboxMail.id)
    return list(db.session.scalars(statement))


def reminder_of(user) -> HealthCheckReminder | None:
    db.session.expire_all()
    return db.session.get(HealthCheckReminder, user.id)


@pytest.fixture
def resident(app):
    user = UserFactory(role="resident", locale="tr", email="ayse@example.org", display_name="Ayşe")
    db.session.commit()
    return user


def test_choosing_an_interval_sets_the_first_reminder_that_far_ahead(resident):
    reminders.choose(resident, 8, now=NOW)
    db.session.commit()
    stored = reminder_of(resident)
    assert stored.every_weeks == 8 and stored.next_at == NOW + timedelta(weeks=8) and stored.sent_at is None
    reminders.choose(resident, 4, now=NOW)
    db.session.commit()
    assert reminder_of(resident).next_at == NOW + timedelta(weeks=4)


@pytest.mark.parametrize("weeks", [0, 1, 3, 52, 53, -4, 2**31])
def test_other_intervals_are_refused(resident, weeks):
    with pytest.raises(reminders.ReminderError):
        reminders.choose(resident, weeks, now=NOW)
    assert reminder_of(resident) is None


def test_stopping_removes_the_reminder(resident):
    reminders.choose(resident, 4, now=NOW)
    assert reminders.stop(resident) is True
    db.session.commit()
    assert reminder_of(resident) is None and reminders.stop(resident) is False


def test_a_due_reminder_is_mailed_once_across_two_runs_and_then_after_the_next_interval(resident):
    reminders.choose(resident, 4, now=NOW)
    db.session.commit()
    assert reminders.due(NOW + timedelta(weeks=4) - timedelta(minutes=1)) == []
    due_at = NOW + timedelta(weeks=4)
    assert reminders.due(due_at) == [resident.id]
    assert reminders.send_due(due_at) == 1
    assert reminders.send_due(due_at) == 0
    assert reminders.send_due(due_at + timedelta(days=1)) == 0
    assert len(mails()) == 1
    stored = reminder_of(resident)
    assert stored.sent_at == due_at and stored.next_at == due_at + timedelta(weeks=4)
    assert reminders.send_due(due_at + timedelta(weeks=4)) == 1 and len(mails()) == 2


def test_two_runs_at_once_mail_once(resident, monkeypatch):
    reminders.choose(resident, 4, now=NOW)
    db.session.commit()
    due_at = NOW + timedelta(weeks=5)
    # The other run claims and mails between our reading of what is due and our claim.
    first = reminders.due(due_at)
    assert reminders.send_due(due_at) == 1
    monkeypatch.setattr(reminders, "due", lambda now: first)
    assert reminders.send_due(due_at) == 0
    assert len(mails()) == 1


def test_the_mail_says_only_that_it_is_time_and_links_to_the_check_in_the_residents_language(resident):
    checks.record(
        resident,
        Answers(mark=3, domains={"body": 9, "mind": 8, "social": 7, "societal": 6}, texts={"keeps": "Mijn kat"}),
        taken_at=NOW - timedelta(weeks=10),
    )
    reminders.choose(resident, 4, now=NOW - timedelta(weeks=10))
    db.session.commit()
    assert reminders.send_due(NOW) == 1
    (mail,) = mails()
    assert mail.recipient == "ayse@example.org" and mail.locale == "tr"
    assert "/tr/health-check" in mail.body
    for secret in ("Mijn kat", "3", "9", "8", "7", "6"):
        assert secret not in mail.body.replace("/tr/health-check", "").replace("127.0.0.1:5000", "")
    assert "3" not in mail.subject


def test_an_inactive_or_erased_resident_is_not_mailed(resident):
    reminders.choose(resident, 4, now=NOW)
    resident.is_active_account = False
    db.session.commit()
    assert reminders.send_due(NOW + timedelta(weeks=5)) == 0 and mails() == []


def test_filling_in_a_check_moves_the_next_reminder_a_full_interval_after_it(client, resident):
    from tests.support.accounts import sign_in

    sign_in(client, resident)
    reminders.choose(resident, 4, now=datetime.now(UTC) - timedelta(weeks=3))
    db.session.commit()
    before = reminder_of(resident).next_at
    token = csrf_token(client, "/tr/health-check/new")
    data = {"csrf_token": token, "key": "k" * 20, "mark": "6", "body": "5", "mind": "7", "social": "8", "societal": "4"}
    assert client.post("/tr/health-check/new", data=data).status_code == 303
    after = reminder_of(resident).next_at
    assert after > before + timedelta(weeks=2)
    assert after >= datetime.now(UTC) + timedelta(weeks=4) - timedelta(minutes=1)


def test_the_resident_chooses_and_stops_reminders_on_the_overview(client, resident):
    from tests.support.accounts import sign_in

    sign_in(client, resident)
    token = csrf_token(client, "/en/health-check")
    response = client.post("/en/health-check/reminder", data={"csrf_token": token, "every": "13"})
    assert response.status_code == 303 and response.location.endswith("/en/health-check#reminder")
    assert reminder_of(resident).every_weeks == 13
    page = client.get("/en/health-check").get_data(as_text=True)
    assert "We will remind you by email every 13 weeks." in page
    assert '<input checked class="wp-radio" id="every-3" name="every" required type="radio" value="13">' in page
    response = client.post("/en/health-check/reminder", data={"csrf_token": token, "every": "off"})
    assert response.status_code == 303 and reminder_of(resident) is None


@pytest.mark.parametrize("every", ["1", "52", "0", "abc", "", "4\x00", "99999999999"])
def test_a_bad_interval_is_refused_with_a_message(client, resident, every):
    from tests.support.accounts import sign_in

    sign_in(client, resident)
    token = csrf_token(client, "/en/health-check")
    response = client.post("/en/health-check/reminder", data={"csrf_token": token, "every": every})
    assert response.status_code == 400
    assert 'class="wp-form-field__error"' in response.get_data(as_text=True)
    assert reminder_of(resident) is None


def test_the_command_sends_due_reminders(runner, resident):
    reminders.choose(resident, 4, now=datetime.now(UTC) - timedelta(weeks=5))
    db.session.commit()
    result = runner.invoke(args=["health-check", "remind"])
    assert result.exit_code == 0 and "Reminded 1 residents" in result.output
    assert len(mails()) == 1


@pytest.mark.parametrize("every, words", [("4", "كل 4 أسابيع"), ("13", "كل 13 أسبوعًا")])
def test_the_saved_message_counts_weeks_as_arabic_does(client, resident, every, words):
    from tests.support.accounts import sign_in

    sign_in(client, resident)
    token = csrf_token(client, "/ar/health-check")
    client.post("/ar/health-check/reminder", data={"csrf_token": token, "every": every})
    assert words in client.get("/ar/health-check").get_data(as_text=True)

"""Referral follow-up: reminders to quiet receiving teams, the 30-day question to the resident, and the answer."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Text, func, select, type_coerce, update

from portal.extensions import db
from portal.models import OutboxMail, Referral, ReferralEvent
from portal.models.base import utcnow
from portal.services.referrals import changes, followup
from portal.services.referrals.overdue import is_overdue
from portal.services.referrals.referrals import NewReferral, ReferralError, create
from portal.services.routekaarten.content import current_catalogue
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory
from tests.support.accounts import csrf_token, sign_in
from tests.support.care import in_care

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOTE = "Mevrouw wil meer bewegen, maar durft niet alleen."


def at(text: str) -> datetime:
    """A moment in Dutch local time."""
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


NOW = at("2026-01-14T10:00")  # a Wednesday; 10 working days back is Tuesday 30 December 2025


@pytest.fixture
def world(app):
    """A resident in the care of a GP practice, and the beweegmakelaars (with a team address) and their offer."""
    practice = OrganisationFactory(name="Huisartsenpraktijk Overvecht", kind="practice")
    brokers = OrganisationFactory(name="Beweegmakelaars Overvecht", kind="brokerage", email="bm@example.org")
    resident = UserFactory(role="resident", display_name="Ayse Yilmaz", locale="tr", email="ayse@example.org")
    gp = in_care(resident, practice, display_name="Dokter Jansen", email="jansen@example.org")
    broker = UserFactory(role="broker", organisation=brokers, display_name="Bram")
    programme = ProgrammeFactory(organisation=brokers, status="published", slug="beweegconsult")
    db.session.commit()
    return {"resident": resident, "gp": gp, "broker": broker, "programme": programme, "brokers": brokers}


def sent(world, key="key-0000000001", agreed=True) -> Referral:
    """A referral of the resident to the offer, agreed in the consultation (requested) or a draft."""
    new = NewReferral(
        resident=world["resident"],
        programme=world["programme"],
        note=NOTE,
        agreed_in_consultation=agreed,
        key=key,
    )
    referral = create(world["gp"], new, current_catalogue())
    db.session.commit()
    return referral


def accepted(world, **kwargs) -> Referral:
    referral = sent(world, **kwargs)
    changes.change_status(world["broker"], referral, "accepted", referral.version)
    db.session.commit()
    return referral


def set_columns(referral: Referral, **values) -> None:
    db.session.execute(update(Referral).where(Referral.id == referral.id).values(**values))
    db.session.commit()
    db.session.expire_all()


def mails(template: str) -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.template == template).order_by(OutboxMail.id)))


def events(referral: Referral, kind: str) -> list[ReferralEvent]:
    return list(
        db.session.scalars(
            select(ReferralEvent).where(ReferralEvent.referral_id == referral.id, ReferralEvent.kind == kind)
        )
    )


# Reminders to the receiving team


def test_quiet_for_ten_working_days_the_team_is_reminded_once_and_again_after_a_new_quiet_spell(world):
    referral = sent(world)
    set_columns(referral, changed_at=at("2025-12-29T15:00"))
    version = referral.version
    assert followup.remind_receivers(NOW) == 1
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert referral.reminded_at == NOW and referral.version == version
    assert referral.changed_at == at("2025-12-29T15:00") and is_overdue(referral, NOW)
    assert [(e.actor_party, e.actor_id) for e in events(referral, "reminded")] == [("system", None)]
    assert [mail.recipient for mail in mails("referral_reminder")] == ["bm@example.org"]

    assert followup.remind_receivers(NOW) == 0
    assert followup.remind_receivers(NOW + timedelta(days=3)) == 0
    assert len(mails("referral_reminder")) == 1

    changes.change_status(world["broker"], referral, "accepted", referral.version)
    db.session.commit()
    set_columns(referral, changed_at=at("2026-01-14T11:00"))
    assert followup.remind_receivers(at("2026-01-28T10:00")) == 0  # 9 working days since the change
    assert followup.remind_receivers(at("2026-01-29T10:00")) == 1
    assert len(mails("referral_reminder")) == 2 and len(events(referral, "reminded")) == 2


@pytest.mark.parametrize(
    ("changed", "now", "reminded"),
    [
        ("2025-12-29T23:59", NOW, 1),  # ten whole working days: 30, 31 December, 2 … 13 January
        ("2025-12-30T00:01", NOW, 0),  # nine
        # Christmas (25, 26 December) and New Year's Day are no working days.
        ("2025-12-19T16:00", at("2026-01-08T10:00"), 1),
        ("2025-12-22T09:00", at("2026-01-08T10:00"), 0),
        # King's Day (Monday 27 April 2026) is no working day.
        ("2026-04-16T16:00", at("2026-05-04T10:00"), 1),
        ("2026-04-17T09:00", at("2026-05-04T10:00"), 0),
    ],
)
def test_working_days_skip_weekends_and_public_holidays(world, changed, now, reminded):
    referral = sent(world)
    set_columns(referral, changed_at=at(changed))
    assert followup.remind_receivers(now) == reminded
    assert len(mails("referral_reminder")) == reminded


@pytest.mark.parametrize("status", ["draft", "rejected", "cancelled", "failed", "completed", "entered-in-error"])
def test_drafts_closed_and_voided_referrals_are_never_reminded(world, status):
    referral = sent(world, agreed=status != "draft")
    set_columns(referral, status=status, changed_at=at("2025-10-01T10:00"))
    assert followup.remind_receivers(NOW) == 0
    assert mails("referral_reminder") == [] and events(referral, "reminded") == []


@pytest.mark.parametrize("status", ["requested", "accepted", "in-progress", "on-hold"])
def test_every_open_status_is_reminded(world, status):
    referral = sent(world)
    set_columns(referral, status=status, changed_at=at("2025-10-01T10:00"))
    assert followup.remind_receivers(NOW) == 1


def test_the_reminder_names_no_resident_offer_or_note_and_links_to_the_referral(world):
    referral = sent(world)
    set_columns(referral, changed_at=at("2025-10-01T10:00"))
    followup.remind_receivers(NOW)
    (mail,) = mails("referral_reminder")
    text = mail.subject + mail.body
    assert f"/nl/professional/referrals/{referral.id}" in mail.body and "10" in mail.body
    for secret in ("Ayse", "Yilmaz", "bewegen", "durft", world["programme"].text("nl").title, "Jansen", "Overvecht"):
        assert secret not in text


def test_a_team_without_an_address_mails_its_professionals_and_with_nobody_nothing_is_marked(world):
    referral = sent(world)
    world["brokers"].email = None
    db.session.commit()
    set_columns(referral, changed_at=at("2025-10-01T10:00"))
    assert [m.recipient for m in mails("referral_reminder")] == []
    assert followup.remind_receivers(NOW) == 1
    assert [m.recipient for m in mails("referral_reminder")] == [world["broker"].email]

    other = sent(world, key="key-0000000002")
    world["broker"].is_active_account = False
    db.session.commit()
    set_columns(other, changed_at=at("2025-10-01T10:00"))
    assert followup.remind_receivers(NOW) == 0
    assert db.session.get(Referral, other.id).reminded_at is None and events(other, "reminded") == []


def test_two_runs_at_once_mail_once(world, monkeypatch):
    referral = sent(world)
    set_columns(referral, changed_at=at("2025-10-01T10:00"))
    seen_by_first_run = followup._due_reminders(NOW)
    assert seen_by_first_run == [referral.id]
    assert followup.remind_receivers(NOW) == 1  # the second run overtakes the first
    monkeypatch.setattr(followup, "_due_reminders", lambda now: seen_by_first_run)
    assert followup.remind_receivers(NOW) == 0  # the first run goes on with what it read: its claim finds nothing
    assert len(mails("referral_reminder")) == 1 and len(events(referral, "reminded")) == 1


def test_a_crash_before_the_commit_loses_no_reminder_and_sends_none(world, monkeypatch):
    referral = sent(world)
    set_columns(referral, changed_at=at("2025-10-01T10:00"))

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(followup, "record_event", crash)
    with pytest.raises(RuntimeError):
        followup.remind_receivers(NOW)
    db.session.rollback()
    assert mails("referral_reminder") == [] and db.session.get(Referral, referral.id).reminded_at is None
    monkeypatch.undo()
    assert followup.remind_receivers(NOW) == 1


# The question to the resident, 30 days after acceptance


def test_the_resident_is_asked_30_days_after_acceptance_once_in_their_language(world):
    referral = accepted(world)
    set_columns(referral, accepted_at=NOW - timedelta(days=29, hours=23))
    assert followup.ask_residents(NOW) == 0
    set_columns(referral, accepted_at=NOW - timedelta(days=30))
    version = db.session.get(Referral, referral.id).version
    assert followup.ask_residents(NOW) == 1
    assert followup.ask_residents(NOW + timedelta(days=1)) == 0
    (mail,) = mails("referral_follow_up")
    assert mail.recipient == "ayse@example.org" and mail.locale == "tr"
    assert f"/tr/referrals/{referral.id}" in mail.body
    for secret in ("Ayse", "bewegen", world["programme"].text("nl").title, "Jansen", "Beweegmakelaars"):
        assert secret not in mail.subject + mail.body
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert referral.follow_up_asked_at == NOW and referral.version == version
    assert [e.actor_party for e in events(referral, "follow_up_asked")] == ["system"]
    assert followup.open_question(referral)


@pytest.mark.parametrize(
    ("status", "asked"),
    [("accepted", 1), ("in-progress", 1), ("on-hold", 1), ("completed", 1), ("cancelled", 0), ("failed", 0)],
)
def test_only_referrals_still_going_or_completed_are_asked_about(world, status, asked):
    referral = accepted(world)
    set_columns(referral, status=status, accepted_at=NOW - timedelta(days=40))
    assert followup.ask_residents(NOW) == asked


def test_a_referral_never_accepted_is_not_asked_about(world):
    referral = sent(world)
    set_columns(referral, changed_at=NOW - timedelta(days=60))
    assert followup.ask_residents(NOW) == 0


@pytest.mark.parametrize("gone", ["inactive", "deleted"])
def test_a_resident_whose_account_is_gone_is_neither_mailed_nor_marked(world, gone):
    referral = accepted(world)
    set_columns(referral, accepted_at=NOW - timedelta(days=40))
    if gone == "inactive":
        world["resident"].is_active_account = False
    else:
        world["resident"].deleted_at = utcnow()
    db.session.commit()
    assert followup.ask_residents(NOW) == 0
    assert mails("referral_follow_up") == [] and db.session.get(Referral, referral.id).follow_up_asked_at is None


# The resident's answer


def asked(world, **kwargs) -> Referral:
    """An accepted referral whose resident was asked how it goes."""
    referral = accepted(world, **kwargs)
    set_columns(referral, accepted_at=utcnow() - timedelta(days=31))
    assert followup.ask_residents() == 1
    return db.session.get(Referral, referral.id)


KEY = "answer-key-000001"


def test_an_answer_is_stored_once_with_its_codes_and_a_sealed_note_and_changes_no_version(world):
    referral = asked(world)
    version, changed = referral.version, referral.changed_at
    event = followup.record_answer(world["resident"], referral, "yes", "a_little", "  Het gaat goed.  ", KEY)
    again = followup.record_answer(world["resident"], referral, "yes", "a_little", "Het gaat goed.", KEY)
    db.session.commit()
    assert again.id == event.id and len(events(referral, "follow_up")) == 1
    assert event.actor_party == "resident" and event.actor_id == world["resident"].id
    assert followup.answer_codes(event) == {"going": "yes", "helps": "a_little", "key": KEY}
    assert event.detail.startswith("going=yes;helps=a_little") and event.note == "Het gaat goed."
    stored = db.session.execute(select(ReferralEvent.note).where(ReferralEvent.id == event.id)).scalar()
    assert stored == "Het gaat goed."  # through the type, and sealed in the table:
    raw = db.session.scalar(select(type_coerce(ReferralEvent.note, Text)).where(ReferralEvent.id == event.id))
    assert "gaat" not in raw
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert (referral.version, referral.changed_at) == (version, changed)
    assert not followup.open_question(referral) and followup.latest_answer(referral).id == event.id
    second = followup.record_answer(world["resident"], referral, "no", "no", None, "answer-key-000002")
    assert followup.latest_answer(referral).id == second.id and second.note is None


@pytest.mark.parametrize(
    ("going", "helps", "note", "key", "code"),
    [
        ("maybe", "yes", "", KEY, "bad_answer"),
        ("yes", "very", "", KEY, "bad_answer"),
        ("", "yes", "", KEY, "bad_answer"),
        ("yes", "yes", "", "short", "bad_answer"),
        ("yes", "yes", "", KEY + ";x", "bad_answer"),
        ("yes", "yes", "x" * 1001, KEY, "note_too_long"),
    ],
)
def test_bad_answers_are_refused_with_a_code(world, going, helps, note, key, code):
    referral = asked(world)
    with pytest.raises(ReferralError) as refused:
        followup.record_answer(world["resident"], referral, going, helps, note, key)
    assert refused.value.code == code


def test_only_the_resident_answers_and_only_about_an_accepted_referral_that_was_not_voided(world):
    referral = asked(world)
    stranger = UserFactory(role="resident")
    db.session.commit()
    for user in (stranger, world["gp"]):
        with pytest.raises(ReferralError) as refused:
            followup.record_answer(user, referral, "yes", "yes", None, KEY)
        assert refused.value.code == "not_allowed"
    requested = sent(world, key="key-0000000002")
    draft = sent(world, key="key-0000000003", agreed=False)
    set_columns(referral, status="entered-in-error")
    for closed in (requested, draft, db.session.get(Referral, referral.id)):
        with pytest.raises(ReferralError) as refused:
            followup.record_answer(world["resident"], closed, "yes", "yes", None, KEY)
        assert refused.value.code == "closed"
    assert db.session.scalar(select(func.count()).where(ReferralEvent.kind == "follow_up")) == 0


def open_page(client, user, path):
    sign_in(client, user)
    page = client.get(path)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def answer(client, path, page, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def form_key(body: str) -> str:
    return re.search(r'<form[^>]*follow-up".*?name="key"[^>]*value="([^"]+)"', body, re.S).group(1)


def test_the_resident_answers_on_the_page_the_referrer_is_told_and_sees_the_answer_in_words(app, client, world):
    referral = asked(world)
    page = f"/en/referrals/{referral.id}"
    body = open_page(client, world["resident"], page)
    assert "How is it going?" in body and 'name="going"' in body and 'name="helps"' in body
    key = form_key(body)
    path = f"/en/referrals/{referral.id}/follow-up"
    response = answer(client, path, page, going="not_yet", helps="not_started", note="Ik begin volgende week.", key=key)
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/en/referrals/{referral.id}#follow-up"
    )
    (event,) = events(referral, "follow_up")
    assert followup.answer_codes(event)["going"] == "not_yet" and event.note == "Ik begin volgende week."
    assert [m.recipient for m in mails("referral_news")] == ["jansen@example.org"]
    assert "Ik begin" not in mails("referral_news")[0].body

    body = client.get(page).get_data(as_text=True)
    assert "Your last answer" in body and "Going: Not yet; it helps: Not started yet" in body

    for professional in (world["gp"], world["broker"]):
        body = open_page(client, professional, f"/en/professional/referrals/{referral.id}")
        assert "The resident answered on" in body and "Going: Not yet; it helps: Not started yet" in body
        assert "Ik begin volgende week." in body and "going=" not in body and KEY not in body


def test_a_retried_post_stores_once_and_tells_the_referrer_once(client, world):
    referral = asked(world)
    page = f"/en/referrals/{referral.id}"
    key = form_key(open_page(client, world["resident"], page))
    path = f"/en/referrals/{referral.id}/follow-up"
    first = answer(client, path, page, going="yes", helps="yes", note="", key=key)
    second = answer(client, path, page, going="yes", helps="yes", note="", key=key)
    assert first.status_code == second.status_code == 303
    assert len(events(referral, "follow_up")) == 1 and len(mails("referral_news")) == 1
    answer(client, path, page, going="no", helps="no", note="", key=form_key(client.get(page).get_data(as_text=True)))
    assert len(events(referral, "follow_up")) == 2 and len(mails("referral_news")) == 2


@pytest.mark.parametrize(
    "data",
    [
        {"going": "maybe", "helps": "yes"},
        {"going": "yes", "helps": "very_much"},
        {"going": "yes"},
        {"helps": "yes"},
        {"going": "yes", "helps": "yes", "note": "x" * 1001},
        {"going": "yes", "helps": "yes", "note": "bad \x01 character"},
        {"going": "yes", "helps": "yes", "key": "not a key"},
        {"going": "yes", "helps": "yes", "key": ""},
    ],
)
def test_bad_input_gives_the_page_with_a_message_and_stores_nothing(client, world, data):
    referral = asked(world)
    page = f"/en/referrals/{referral.id}"
    key = form_key(open_page(client, world["resident"], page))
    response = answer(client, f"/en/referrals/{referral.id}/follow-up", page, **{"key": key, **data})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "wp-alert--error" in body and "How is it going?" in body
    assert events(referral, "follow_up") == [] and mails("referral_news") == []


def test_a_note_of_1000_characters_is_fine(client, world):
    referral = asked(world)
    page = f"/en/referrals/{referral.id}"
    key = form_key(open_page(client, world["resident"], page))
    response = answer(
        client, f"/en/referrals/{referral.id}/follow-up", page, going="yes", helps="yes", note="x" * 1000, key=key
    )
    assert response.status_code == 303 and events(referral, "follow_up")[0].note == "x" * 1000


def test_someone_elses_referral_is_not_found_and_a_voided_one_is_refused(client, world):
    referral = asked(world)
    stranger = UserFactory(role="resident")
    db.session.commit()
    sign_in(client, stranger)
    page = "/en/referrals"
    data = {"going": "yes", "helps": "yes", "key": KEY}
    assert answer(client, f"/en/referrals/{referral.id}/follow-up", page, **data).status_code == 404
    assert answer(client, "/en/referrals/999999/follow-up", page, **data).status_code == 404
    set_columns(referral, status="entered-in-error")
    sign_in(client, world["resident"])
    response = answer(client, f"/en/referrals/{referral.id}/follow-up", f"/en/referrals/{referral.id}", **data)
    assert response.status_code == 400 and "This referral is closed." in response.get_data(as_text=True)
    assert events(referral, "follow_up") == []


def test_the_form_shows_only_once_the_resident_was_asked(client, world):
    referral = accepted(world)
    body = open_page(client, world["resident"], f"/en/referrals/{referral.id}")
    assert 'name="going"' not in body


def test_the_history_shows_the_answer_in_words(client, world):
    referral = asked(world)
    followup.record_answer(world["resident"], referral, "yes", "a_little", None, KEY)
    db.session.commit()
    body = open_page(client, world["resident"], f"/en/referrals/{referral.id}")
    history = body.split("What happened", 1)[1]
    assert "Resident answered how it goes" in history and "Going: Yes; it helps: A little" in history
    assert "Resident asked how it goes" in history and "going=" not in body and KEY not in body


# The command for cron


def test_the_command_reminds_and_asks(runner, world):
    referral = accepted(world)
    long_ago = utcnow() - timedelta(days=40)
    set_columns(referral, accepted_at=long_ago, changed_at=long_ago)
    result = runner.invoke(args=["referrals", "follow-up"])
    assert result.exit_code == 0, result.output
    assert "Reminded the teams of 1 referrals, asked 1 residents" in result.output
    assert len(mails("referral_reminder")) == 1 and len(mails("referral_follow_up")) == 1
    result = runner.invoke(args=["referrals", "follow-up"])
    assert "Reminded the teams of 0 referrals, asked 0 residents" in result.output

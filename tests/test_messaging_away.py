"""Away periods, automatic replies and the promised reply time in working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Message, Thread
from portal.services.messaging import away, care_relations, threads
from portal.services.messaging.away import AwayError
from portal.services.messaging.working_days import LOCAL, add_working_days
from tests.factories import OrganisationFactory, UserFactory


def test_working_days_skip_weekends_and_public_holidays():
    friday = datetime(2026, 12, 18, 16, 0, tzinfo=LOCAL)
    assert add_working_days(friday, 1).date() == date(2026, 12, 21)  # Monday
    before_christmas = datetime(2026, 12, 24, 9, 0, tzinfo=LOCAL)  # Thursday; 25 and 26 December are holidays
    assert add_working_days(before_christmas, 1).date() == date(2026, 12, 28)
    assert add_working_days(before_christmas, 3).date() == date(2026, 12, 30)


@pytest.fixture
def team():
    practice = OrganisationFactory(reply_days=2)
    resident = UserFactory(role="resident")
    poh = UserFactory(role="professional", organisation=practice, display_name="Marloes")
    cover = UserFactory(role="professional", organisation=practice, display_name="Kees")
    _relation, code = care_relations.invite(poh)
    care_relations.accept_invitation(resident, code)
    thread = threads.start_thread(resident, practice, "Vraag", "Tekst", "away-thread-key-0001")
    threads.claim(poh, thread, thread.version)
    db.session.commit()
    return {"resident": resident, "poh": poh, "cover": cover, "thread": thread}


def test_going_away_returns_threads_and_residents_get_one_automatic_reply(app, team):
    poh, thread = team["poh"], team["thread"]
    away.set_away(poh, away.today(), away.today() + timedelta(days=5), team["cover"])
    db.session.commit()
    db.session.refresh(thread)
    assert thread.assignee_id is None and thread.returned_from_id == poh.id
    threads.post(team["resident"], thread, "Nog een vraag", "away-reply-key-00001")
    threads.post(team["resident"], thread, "En nog een", "away-reply-key-00002")
    db.session.commit()
    replies = db.session.scalars(select(Message).where(Message.kind == "auto_reply")).all()
    assert len(replies) == 1
    facts = away.read_auto_reply(replies[0])
    assert facts.away_name == "Marloes" and facts.cover_name == "Kees"
    assert facts.until == away.today() + timedelta(days=5) and facts.answer_by > away.today()


def test_a_planned_absence_changes_nothing_until_it_begins(app, team):
    poh, thread = team["poh"], team["thread"]
    period = away.set_away(poh, away.today() + timedelta(days=7), away.today() + timedelta(days=9), None)
    db.session.commit()
    threads.post(team["resident"], thread, "Vraag", "away-later-key-00001")
    db.session.commit()
    assert db.session.get(Thread, thread.id).assignee_id == poh.id
    assert db.session.scalar(select(func.count()).where(Message.kind == "auto_reply")) == 0
    away.cancel(poh, period)
    assert away.planned(poh) == []


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [(3, 1, "bad_days"), (-10, -5, "bad_days"), (0, 400, "bad_days")],
)
def test_impossible_periods_are_refused(app, team, first, last, code):
    today = away.today()
    with pytest.raises(AwayError, match=code):
        away.set_away(team["poh"], today + timedelta(days=first), today + timedelta(days=last), None)


def test_the_cover_must_be_a_colleague(app, team):
    stranger = UserFactory(role="professional", organisation=OrganisationFactory())
    with pytest.raises(AwayError, match="bad_cover"):
        away.set_away(team["poh"], away.today(), away.today(), stranger)
    with pytest.raises(AwayError, match="bad_cover"):
        away.set_away(team["poh"], away.today(), away.today(), team["poh"])


def test_the_away_page_refuses_bad_dates_with_a_message(app, client, team):
    from tests.support.accounts import post_form, sign_in

    sign_in(client, team["poh"])
    response = post_form(client, "/nl/professional/away", {"first_day": "2026-13-40", "last_day": "", "cover": "0"})
    assert response.status_code == 400
    response = post_form(
        client, "/nl/professional/away", {"first_day": "2020-01-01", "last_day": "2020-01-02", "cover": "0"}
    )
    assert response.status_code == 400
    assert away.planned(team["poh"]) == []

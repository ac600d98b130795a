"""The referral workspace and a referral's page send as many SQL statements for 120 referrals as for 30 (no N+1),
the overdue cutoff kept for a day is the one worked out each time, and the benchmark's referral data set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import CareRelation, Message, Organisation, Referral, ReferralEvent, Thread
from portal.models.base import utcnow
from portal.services.messaging.working_days import working_days_back
from portal.services.referrals.overdue import REMIND_AFTER_WORKING_DAYS, overdue_cutoff
from portal.services.referrals.statuses import CLOSED, STATUSES
from portal.services.seed.bench_referrals import BROKERS_SLUG, bench_broker, seed_bench_referrals
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory
from tests.support.accounts import sign_in
from tests.support.queries import count_queries

PAGES = {
    "received": "/nl/professional/referrals",
    "received_closed": "/nl/professional/referrals?state=closed",
    "sent": "/nl/professional/referrals?box=sent",
    "sent_closed": "/nl/professional/referrals?box=sent&state=closed",
}
CYCLE = ("requested", "accepted", "in-progress", "on-hold", "completed", "rejected", "cancelled", "failed")


def _in_care(resident, organisation) -> None:
    db.session.add(
        CareRelation(
            resident=resident, organisation=organisation, status="active", started_by="resident", active_since=utcnow()
        )
    )


def _referral(number: int, resident, referrer, organisation, programme, events: int = 3) -> Referral:
    """A sent referral in one of the open or closed statuses, changed `number` hours ago, with its history."""
    status = CYCLE[number % len(CYCLE)]
    moment = utcnow() - timedelta(hours=number, days=20 * (number % 2))
    referral = Referral(
        resident_id=resident.id, referrer_id=referrer.id, referrer_organisation_id=referrer.organisation_id,
        organisation_id=organisation.id, programme_id=programme.id if number % 3 else None, note=f"Notitie {number}",
        status=status, reason="other" if status in CLOSED | {"on-hold"} else None,
        agreement="consultation", agreed_at=moment, agreement_recorded_by_id=referrer.id, requested_at=moment,
        created_at=moment, changed_at=moment, referrer_seen_version=1 + number % 2,
    )  # fmt: skip
    db.session.add(referral)
    db.session.flush()
    for n in range(events):
        db.session.add(ReferralEvent(referral_id=referral.id, actor_id=referrer.id, actor_party="referrer",
                                     kind="status", to_status=status, note=f"Stap {n}", created_at=moment))  # fmt: skip
    return referral


def build_world(count: int):
    """A GP practice sending `count` referrals of its residents to a beweegmakelaars team (several offers and
    staff) and `count` more to other teams; the team also receives `count` from other practices."""
    practice = OrganisationFactory(kind="practice")
    brokers = OrganisationFactory(kind="brokerage")
    others = [OrganisationFactory(kind="practice") for _ in range(3)]
    gp = UserFactory(role="professional", organisation=practice, second_factor="totp", totp_secret="A" * 32)
    broker = UserFactory(role="broker", organisation=brokers, second_factor="totp", totp_secret="B" * 32)
    colleagues = [UserFactory(role="professional", organisation=other) for other in others]
    offers = [ProgrammeFactory(organisation=team, status="published") for team in [brokers, *others] for _ in (0, 1)]
    residents = [UserFactory(role="resident") for _ in range(max(2, count // 3))]
    for resident in residents:
        _in_care(resident, practice)
    for number in range(count):
        resident = residents[number % len(residents)]
        _referral(number, resident, gp, brokers, offers[number % 2])
        team = others[number % len(others)]
        _referral(number, resident, gp, team, offers[2 + number % (len(offers) - 2)])
        stranger = UserFactory(role="resident")
        _referral(number, stranger, colleagues[number % 3], brokers, offers[number % 2])
    db.session.commit()
    return gp, broker


def page_counts(client, gp, broker) -> dict[str, int]:
    """Statements sent for each workspace page (as the broker, and the GP for 'sent'), each served once before."""
    counts = {}
    for name, path in PAGES.items():
        sign_in(client, gp if "sent" in name else broker)
        assert client.get(path).status_code == 200, path  # warm up: the first request fills caches
        with count_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        assert response.get_data(as_text=True).count("<tr") > 1, path  # rows shown, so their people are loaded
        counts[name] = len(statements)
    return counts


def test_the_workspace_sends_as_many_statements_for_240_referrals_as_for_12(app, client):
    small = page_counts(client, *build_world(6))  # 12 received (6 open: less than a page), 12 sent
    large = page_counts(client, *build_world(120))  # 240 received (120 open: five pages), 240 sent
    print(f"statements per page: {small}")
    assert small == large
    # the session and user, one page of rows with its people, teams and the offers' titles, all counts in one
    # statement, the neighbourhood, the actor's team and the audit record (was 15: a statement per relation, two
    # for the counts; then 8: the offers' titles apart, and the user loaded again after the audit's commit)
    assert max(small.values()) <= 6


def _detail_count(client, broker, referral) -> int:
    path = f"/nl/professional/referrals/{referral.id}"
    assert client.get(path).status_code == 200
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    assert referral.note in response.text and response.text.count("Stap ") == len(referral.events)
    return len(statements)


def test_a_referral_page_sends_as_many_statements_for_a_long_history_as_for_a_short_one(app, client):
    gp, broker = build_world(2)
    resident = UserFactory(role="resident")
    _in_care(resident, gp.organisation)
    programme = ProgrammeFactory(organisation=broker.organisation, status="published")
    short = _referral(2, resident, gp, broker.organisation, programme, events=2)  # both in progress, with an offer
    long = _referral(10, resident, gp, broker.organisation, programme, events=12)
    db.session.commit()
    sign_in(client, broker)
    counted = _detail_count(client, broker, short)
    print(f"statements of a referral page: {counted}")
    assert counted == _detail_count(client, broker, long)
    # the session and user, the referral with its people, teams, thread and offer's title, the history, the
    # offerable sessions with their titles, the room, the neighbourhood, the audit record (was 20: the referral
    # loaded twice and its relations, history and room one by one; then 11: loaded again after the commit, the
    # actor's team and the programme's texts apart)
    assert counted <= 7


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        datetime(2026, 12, 27, 22, 59, tzinfo=UTC),  # 23:59 in Amsterdam: still the 27th
        datetime(2026, 12, 27, 23, 0, tzinfo=UTC),  # 00:00 in Amsterdam: the 28th, after Christmas
        datetime(2027, 4, 27, 0, 30, tzinfo=UTC),  # King's Day, just after midnight in Amsterdam
        datetime(2027, 1, 1, 0, 0, tzinfo=UTC),
    ],
)
def test_the_cutoff_kept_for_a_day_is_the_one_worked_out_each_time(app, moment):
    later = moment + timedelta(minutes=59)
    assert overdue_cutoff(moment) == working_days_back(moment, REMIND_AFTER_WORKING_DAYS)
    assert overdue_cutoff(later) == working_days_back(later, REMIND_AFTER_WORKING_DAYS)


def test_the_bench_data_set_is_realistic(app):
    counts = seed_bench_referrals("benchwijk", referrals=400)
    assert counts["referrals"] == 400 and 400 * 2 <= counts["events"] <= 400 * 4
    broker = bench_broker()
    assert broker.role == "broker" and broker.organisation.slug == BROKERS_SLUG
    statuses = dict(db.session.execute(select(Referral.status, func.count()).group_by(Referral.status)).all())
    assert set(statuses) == set(STATUSES)
    received = db.session.scalar(select(func.count()).where(Referral.organisation_id == broker.organisation_id))
    assert received == 240
    per_referral = (
        select(func.count().label("n")).select_from(ReferralEvent).group_by(ReferralEvent.referral_id).subquery()
    )
    assert db.session.execute(select(func.min(per_referral.c.n), func.max(per_referral.c.n))).one() == (2, 4)
    per_thread = select(func.count().label("n")).select_from(Message).group_by(Message.thread_id).subquery()
    assert db.session.execute(select(func.min(per_thread.c.n), func.max(per_thread.c.n))).one() == (1, 3)
    assert db.session.scalar(select(func.count()).select_from(Thread).where(Thread.kind != "referral")) == 0
    now = utcnow()
    for referral in db.session.scalars(select(Referral)):
        assert referral.created_at <= (referral.requested_at or referral.created_at) <= referral.changed_at <= now
        steps = [referral.accepted_at, referral.first_contact_at, referral.started_at, referral.completed_at]
        assert all(referral.requested_at <= step <= now for step in steps if step), referral.id
        assert referral.note and (referral.thread_id is None or referral.requested_at is not None)
        in_care = select(CareRelation.id).where(
            CareRelation.resident_id == referral.resident_id,
            CareRelation.organisation_id == referral.referrer_organisation_id,
            CareRelation.status == "active",
        )
        assert db.session.scalar(in_care) is not None, referral.id
    assert now - min(db.session.scalars(select(Referral.created_at))) > timedelta(days=300)


def test_the_seed_command_refuses_bad_input_and_loads_once(app, runner):
    assert runner.invoke(args=["seed-bench-referrals", "--referrals", "5"]).exit_code != 0
    assert runner.invoke(args=["seed-bench-referrals", "--referrals", "abc"]).exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
    first = runner.invoke(args=["seed-bench-referrals", "--referrals", "50"])
    assert first.exit_code == 0 and "50 referrals" in first.output
    again = runner.invoke(args=["seed-bench-referrals", "--referrals", "50"])
    assert again.exit_code == 0 and "nothing added" in again.output
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 50
    app.config["PORTAL_ENV"] = "production"
    assert runner.invoke(args=["seed-bench-referrals"]).exit_code != 0

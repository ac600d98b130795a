"""Referral statuses: who may move a referral where, reasons, stale pages, voiding and reopening (services)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Message, Referral, ReferralEvent, Thread
from portal.services.messaging import threads
from portal.services.referrals import changes, statuses
from portal.services.referrals.referrals import NewReferral, ReferralError, agree, create, parties_of
from portal.services.routekaarten.content import current_catalogue
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory
from tests.support.care import in_care


@pytest.fixture
def people(app):
    """A resident in the care of a GP practice, and a beweegmakelaar team with a published programme."""
    practice = OrganisationFactory(name="Huisartsenpraktijk", kind="practice")
    brokers = OrganisationFactory(name="Beweegmakelaars", kind="brokerage")
    resident = UserFactory(role="resident")
    gp = in_care(resident, practice)
    broker = UserFactory(role="broker", organisation=brokers)
    programme = ProgrammeFactory(organisation=brokers, status="published")
    db.session.commit()
    return {"resident": resident, "gp": gp, "broker": broker, "programme": programme, "brokers": brokers}


def refer(people, agreed=True, key="key-000001", **extra):
    new = NewReferral(
        resident=people["resident"],
        programme=people["programme"],
        route_map="meer-bewegen",
        route_step="gesprek" if False else None,
        levels={"gezondheidsvaardigheden": "laag", "motivatie": "laag"},
        note="Mevrouw wil graag meer bewegen, maar durft niet alleen.",
        agreed_in_consultation=agreed,
        key=key,
        **extra,
    )
    referral = create(people["gp"], new, current_catalogue())
    db.session.commit()
    return referral


def test_a_referral_agreed_in_the_consultation_is_sent_with_its_handover_thread(people):
    referral = refer(people)
    assert referral.status == "requested" and referral.agreement == "consultation"
    assert referral.agreement_recorded_by_id == people["gp"].id and referral.agreed_at is not None
    assert referral.health_literacy == "laag" and referral.self_reliance is None
    thread = db.session.get(Thread, referral.thread_id)
    assert thread.kind == "referral" and thread.organisation_id == people["brokers"].id
    first = db.session.scalar(select(Message).where(Message.thread_id == thread.id))
    assert first.body.startswith("Mevrouw wil")
    for who in ("resident", "gp", "broker"):
        assert threads.may_read(people[who], thread) and threads.may_write(people[who], thread)
    stranger = UserFactory(role="broker", organisation=OrganisationFactory())
    assert not threads.may_read(stranger, thread)
    assert parties_of(people["broker"], referral) == {"receiver"}
    assert parties_of(people["gp"], referral) == {"referrer"}


def test_without_agreement_it_stays_a_draft_until_the_resident_confirms(people):
    referral = refer(people, agreed=False)
    assert referral.status == "draft" and referral.thread_id is None
    assert parties_of(people["broker"], referral) == frozenset()
    agree(people["resident"], referral, referral.version)
    db.session.commit()
    assert referral.status == "requested" and referral.agreement == "resident"


def test_a_repeated_form_makes_one_referral(people):
    first, second = refer(people), refer(people)
    assert first.id == second.id
    assert db.session.query(Referral).count() == 1


def test_only_a_professional_with_a_care_relation_refers(people):
    other = UserFactory(role="professional", organisation=OrganisationFactory())
    with pytest.raises(ReferralError) as error:
        create(
            other,
            NewReferral(resident=people["resident"], programme=people["programme"], note="x"),
            current_catalogue(),
        )
    assert error.value.code == "no_relation"


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"note": ""}, "note_empty"),
        ({"note": "x" * 2001}, "note_too_long"),
        ({"levels": {"motivatie": "enorm"}}, "bad_level"),
        ({"levels": {"schoenmaat": "laag"}}, "bad_level"),
        ({"route_map": "bestaat-niet"}, "bad_route_map"),
    ],
)
def test_bad_input_is_refused_with_a_code(people, extra, code):
    values = {"resident": people["resident"], "programme": people["programme"], "note": "Graag.", **extra}
    with pytest.raises(ReferralError) as error:
        create(people["gp"], NewReferral(**values), current_catalogue())
    assert error.value.code == code


def test_an_archived_programme_cannot_be_referred_to(people):
    people["programme"].status = "archived"
    with pytest.raises(ReferralError) as error:
        refer(people)
    assert error.value.code == "offer_unavailable"


def test_receiver_accepts_completes_and_the_history_says_who_and_why(people):
    referral = refer(people)
    changes.change_status(people["broker"], referral, "accepted", referral.version)
    changes.change_status(people["broker"], referral, "completed", referral.version, reason="got_help")
    db.session.commit()
    assert referral.status == "completed" and referral.accepted_at and referral.completed_at
    events = db.session.scalars(select(ReferralEvent).where(ReferralEvent.kind == "status")).all()
    assert [(e.actor_party, e.to_status) for e in events][-2:] == [("receiver", "accepted"), ("receiver", "completed")]


def test_a_stale_page_is_refused_and_two_accepts_make_one(people):
    referral = refer(people)
    version = referral.version
    changes.change_status(people["broker"], referral, "accepted", version)
    db.session.commit()
    with pytest.raises(ReferralError) as error:
        changes.change_status(people["broker"], referral, "rejected", version, reason="not_eligible")
    assert error.value.code == "stale"


@pytest.mark.parametrize(
    ("target", "reason", "note", "wait", "code"),
    [
        ("rejected", None, None, None, "reason_needed"),
        ("rejected", "got_help", None, None, "bad_reason"),
        ("rejected", "no_capacity", None, None, "wait_needed"),
        ("rejected", "no_capacity", None, "next_year", "bad_wait"),
        ("rejected", "other", None, None, "note_empty"),
        ("rejected", "not_eligible", "x" * 1001, None, "note_too_long"),
        ("bogus", None, None, None, "bad_status"),
        ("draft", None, None, None, "bad_status"),
        ("completed", "got_help", None, None, "not_allowed"),
    ],
)
def test_bad_status_changes_are_refused(people, target, reason, note, wait, code):
    referral = refer(people)
    with pytest.raises(ReferralError) as error:
        changes.change_status(people["broker"], referral, target, referral.version, reason, note, wait)
    assert error.value.code == code


def test_declined_for_no_capacity_keeps_the_expected_wait(people):
    referral = refer(people)
    changes.change_status(people["broker"], referral, "rejected", referral.version, "no_capacity", None, "1_3m")
    assert referral.status == "rejected" and referral.expected_wait == "1_3m"


def test_the_referrer_cannot_accept_and_the_resident_only_declines(people):
    referral = refer(people)
    with pytest.raises(ReferralError):
        changes.change_status(people["gp"], referral, "accepted", referral.version)
    with pytest.raises(ReferralError):
        changes.change_status(people["resident"], referral, "accepted", referral.version)
    changes.change_status(people["resident"], referral, "cancelled", referral.version, "no_longer_interested")
    assert referral.status == "cancelled"


def test_a_closed_referral_reopens_with_a_note_to_where_it_was(people):
    referral = refer(people)
    changes.change_status(people["broker"], referral, "accepted", referral.version)
    changes.change_status(people["broker"], referral, "failed", referral.version, "could_not_contact")
    with pytest.raises(ReferralError):
        changes.reopen(people["broker"], referral, referral.version, "")
    changes.reopen(people["broker"], referral, referral.version, "Mevrouw belde toch terug.")
    assert referral.status == "accepted"


def test_a_referral_made_by_mistake_is_voided_not_deleted(people):
    referral = refer(people)
    with pytest.raises(ReferralError):
        changes.void(people["broker"], referral, referral.version, "Verkeerde bewoner")
    changes.void(people["gp"], referral, referral.version, "Verkeerde bewoner")
    db.session.commit()
    assert db.session.get(Referral, referral.id).status == "entered-in-error"
    with pytest.raises(ReferralError):
        changes.reopen(people["gp"], referral, referral.version, "toch")


def test_every_closing_status_has_reasons_and_the_moves_cover_the_task_codes():
    for status in statuses.NEEDS_REASON:
        assert statuses.reasons_for(status), status
    reachable = {target for (_source, target) in statuses._MOVES} | {"draft", "entered-in-error"}
    assert reachable == set(statuses.STATUSES)


def test_a_voided_referral_closes_the_receivers_way_in(people):
    referral = refer(people)
    thread = db.session.get(Thread, referral.thread_id)
    changes.void(people["gp"], referral, referral.version, "Verkeerde bewoner")
    db.session.commit()
    assert not threads.may_read(people["broker"], thread) and parties_of(people["broker"], referral) == frozenset()
    assert threads.may_read(people["gp"], thread) and threads.may_read(people["resident"], thread)


def test_the_lists_written_out_for_the_partial_indexes_are_the_open_and_closed_statuses():
    import re

    from portal.models.referrals import CLOSED_LOOP, OPEN_LOOP

    assert set(re.findall(r"'([^']+)'", OPEN_LOOP.text)) == statuses.OPEN | {"draft"}
    assert set(re.findall(r"'([^']+)'", CLOSED_LOOP.text)) == statuses.CLOSED

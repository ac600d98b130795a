"""The booking engine without a request: places, the waiting list, cancelling, and the database's own guards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Booking, Session
from portal.services.booking import places, queries, reminders
from portal.services.booking.places import BookingError
from tests.factories import ProgrammeFactory, SessionFactory, UserFactory


def key(n: int | str) -> str:
    """A valid idempotency key, different for each n."""
    return f"test-key-{n}".ljust(20, "x")


def residents(n: int) -> list:
    """n residents."""
    return [UserFactory(role="resident") for _ in range(n)]


@pytest.fixture(autouse=True)
def _in_app(app):
    """Every test here works on the test database inside an app context."""
    return app


@pytest.fixture
def session():
    """A published session with 3 places, two days from now."""
    item = SessionFactory(capacity=3)
    db.session.commit()
    return item


def test_places_are_confirmed_up_to_capacity_then_the_waiting_list(session):
    people = residents(5)
    results = [places.book(person, session.id, key(i)) for i, person in enumerate(people)]
    db.session.commit()
    assert [r.booking.status for r in results] == ["confirmed"] * 3 + ["waitlisted"] * 2
    assert all(r.created for r in results)
    db.session.refresh(session)
    assert session.booked == 3 and session.places_left == 0
    assert [queries.queue_position(r.booking) for r in results[3:]] == [1, 2]
    assert queries.waitlist_counts([session.id]) == {session.id: 2}


def test_the_same_key_books_once_and_a_second_key_returns_the_active_booking(session):
    (person,) = residents(1)
    first = places.book(person, session.id, key(1))
    again = places.book(person, session.id, key(1))
    other_key = places.book(person, session.id, key(2))
    db.session.commit()
    assert again.booking.id == first.booking.id and not again.created
    assert other_key.booking.id == first.booking.id and not other_key.created
    assert db.session.scalar(select(db.func.count()).select_from(Booking)) == 1
    db.session.refresh(session)
    assert session.booked == 1


@pytest.mark.parametrize("bad", ["", "short", "x" * 65, "with space in it 123", "nul\x00byte-in-the-key", None])
def test_a_bad_key_is_refused(session, bad):
    (person,) = residents(1)
    with pytest.raises(BookingError) as error:
        places.book(person, session.id, bad)
    assert error.value.code == "bad_key"


@pytest.mark.parametrize("role", ["professional", "broker", "admin"])
def test_only_residents_book(session, role):
    with pytest.raises(BookingError) as error:
        places.book(UserFactory(role=role), session.id, key(1))
    assert error.value.code == "not_resident"


def test_past_cancelled_unpublished_and_missing_sessions_are_refused():
    (person,) = residents(1)
    past = SessionFactory(starts_at=datetime.now(UTC) - timedelta(hours=1))
    cancelled = SessionFactory(status="cancelled")
    draft = SessionFactory(programme=ProgrammeFactory(status="draft"))
    archived = SessionFactory(programme=ProgrammeFactory(status="archived"))
    db.session.commit()
    cases = {past.id: "past", cancelled.id: "cancelled", draft.id: "not_found", archived.id: "not_found"}
    cases[999_999] = "not_found"
    for session_id, code in cases.items():
        with pytest.raises(BookingError) as error:
            places.book(person, session_id, key(session_id))
        assert error.value.code == code
        db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Booking)) == 0


def test_a_freed_place_goes_to_the_first_on_the_waiting_list(session):
    people = residents(5)
    made = [places.book(person, session.id, key(i)).booking for i, person in enumerate(people)]
    db.session.commit()
    cancellation = places.cancel(made[1])
    db.session.commit()
    assert [b.id for b in cancellation.promoted] == [made[3].id]
    db.session.refresh(session)
    assert [b.status for b in made] == ["confirmed", "cancelled", "confirmed", "confirmed", "waitlisted"]
    assert session.booked == 3
    assert made[1].cancelled_by == "resident" and made[1].cancelled_at is not None


def test_leaving_the_waiting_list_frees_no_place(session):
    people = residents(4)
    made = [places.book(person, session.id, key(i)).booking for i, person in enumerate(people)]
    db.session.commit()
    assert places.cancel(made[3]).promoted == []
    db.session.commit()
    db.session.refresh(session)
    assert session.booked == 3 and [b.status for b in made[:3]] == ["confirmed"] * 3


def test_cancelling_twice_and_after_the_cut_off_is_refused():
    soon = SessionFactory(starts_at=datetime.now(UTC) + timedelta(minutes=90), capacity=1)  # cut-off: 2 hours
    people = residents(2)
    held = places.book(people[0], soon.id, key(1)).booking
    queued = places.book(people[1], soon.id, key(2)).booking
    db.session.commit()
    assert not places.may_cancel(held) and places.may_cancel(queued)
    with pytest.raises(BookingError) as error:
        places.cancel(held)
    assert error.value.code == "too_late"
    db.session.rollback()
    places.cancel(queued)  # the waiting list can always be left
    db.session.commit()
    with pytest.raises(BookingError) as error:
        places.cancel(queued)
    assert error.value.code == "already_cancelled"


def test_the_organiser_sets_the_cut_off():
    programme = ProgrammeFactory(cancel_cutoff_minutes=0)
    soon = SessionFactory(programme=programme, starts_at=datetime.now(UTC) + timedelta(minutes=30))
    held = places.book(residents(1)[0], soon.id, key(1)).booking
    db.session.commit()
    assert places.may_cancel(held)
    assert places.cancel_deadline(soon) == soon.starts_at


def test_after_cancelling_a_resident_can_book_again(session):
    (person,) = residents(1)
    first = places.book(person, session.id, key(1)).booking
    places.cancel(first)
    second = places.book(person, session.id, key(2))
    db.session.commit()
    assert second.created and second.booking.id != first.id and second.booking.status == "confirmed"


def test_more_places_go_to_the_waiting_list_in_order(session):
    people = residents(6)
    made = [places.book(person, session.id, key(i)).booking for i, person in enumerate(people)]
    session.capacity = 5
    db.session.flush()
    promoted = places.fill_places(session.id)
    db.session.commit()
    assert [b.id for b in promoted] == [made[3].id, made[4].id]
    assert session.booked == 5 and made[5].status == "waitlisted"


def test_an_organiser_cancelling_the_session_cancels_every_booking(session):
    made = [places.book(person, session.id, key(i)).booking for i, person in enumerate(residents(4))]
    session.status = "cancelled"
    told = places.cancel_session_bookings(session)
    db.session.commit()
    assert {b.id for b in told} == {b.id for b in made}
    assert {b.status for b in made} == {"cancelled"} and {b.cancelled_by for b in made} == {"organiser"}
    assert session.booked == 0
    assert places.fill_places(session.id) == []


def test_overlapping_bookings_are_found_for_a_warning(session):
    (person,) = residents(1)
    places.book(person, session.id, key(1))
    same_time = SessionFactory(starts_at=session.starts_at + timedelta(minutes=30))
    later = SessionFactory(starts_at=session.ends_at)
    db.session.commit()
    assert [b.session_id for b in queries.overlapping(person, same_time)] == [session.id]
    assert queries.overlapping(person, later) == []
    assert queries.overlapping(person, session) == []  # the session itself is no overlap


def test_upcoming_and_past_bookings(session):
    (person,) = residents(1)
    old = SessionFactory(starts_at=datetime.now(UTC) - timedelta(days=3))
    old_booking = Booking(session=old, user=person, status="confirmed", idempotency_key=key("old"))
    db.session.add(old_booking)
    current = places.book(person, session.id, key(1)).booking
    db.session.commit()
    upcoming, past = queries.bookings_of(person)
    assert [b.id for b in upcoming] == [current.id]
    assert [b.id for b in past] == [old_booking.id]
    assert [b.id for b in queries.feed_bookings(person)] == [old_booking.id, current.id]


def test_the_database_refuses_two_active_bookings_of_one_resident(session):
    (person,) = residents(1)
    places.book(person, session.id, key(1))
    db.session.commit()
    db.session.add(Booking(session_id=session.id, user_id=person.id, status="waitlisted", idempotency_key=key(2)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_database_refuses_more_booked_places_than_capacity(session):
    with pytest.raises(IntegrityError):
        db.session.execute(update(Session).where(Session.id == session.id).values(booked=4))
    db.session.rollback()


def test_the_database_refuses_an_unknown_status(session):
    (person,) = residents(1)
    db.session.commit()
    statement = (
        text(
            "INSERT INTO bookings (session_id, user_id, status, idempotency_key, created_at) "
            "VALUES (:s, :u, 'maybe', :k, :t)"
        ),
        {"s": session.id, "u": person.id, "k": key(1), "t": datetime.now(UTC).replace(tzinfo=None)},
    )
    with pytest.raises(IntegrityError):
        db.session.execute(*statement)
    db.session.rollback()


def test_reminders_are_due_a_day_before_and_claimed_once():
    tomorrow = SessionFactory(starts_at=datetime.now(UTC) + timedelta(hours=20))
    next_week = SessionFactory(starts_at=datetime.now(UTC) + timedelta(days=7))
    person = residents(1)[0]
    due = places.book(person, tomorrow.id, key(1)).booking
    places.book(person, next_week.id, key(2))
    db.session.commit()
    assert reminders.due() == [due.id]
    assert reminders.claim(due.id) is True
    assert reminders.claim(due.id) is False
    db.session.commit()
    assert reminders.due() == []
    reminders.release(due.id)
    db.session.commit()
    assert reminders.due() == [due.id]

"""Residents book, see, download and cancel places through the pages; the calendar feed; bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Booking
from portal.services.booking import places
from tests.factories import ProgrammeFactory, SessionFactory, UserFactory
from tests.support.accounts import csrf_token, post_form, sign_in
from tests.support.mail import body, calendar_in, outbox

KEY = re.compile(r'name="key" type="hidden" value="([^"]+)"|name="key" value="([^"]+)"')


def form_key(client, path: str) -> str:
    """The idempotency key of the booking form on `path`."""
    match = KEY.search(client.get(path).get_data(as_text=True))
    assert match, f"no booking form on {path}"
    return match.group(1) or match.group(2)


def book(client, session_id: int, lang: str = "nl"):
    """Open the booking page and press the button, as a browser does."""
    path = f"/{lang}/bookings/book/{session_id}"
    return post_form(client, path, {"key": form_key(client, path)})


def bookings_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Booking))


@pytest.fixture
def session():
    """A published session with 2 places, two days from now."""
    item = SessionFactory(capacity=2, programme=ProgrammeFactory(texts={"tr": "Birlikte yürüyüş"}))
    db.session.commit()
    return item


def test_anonymous_visitors_log_in_first_and_come_back_to_the_same_session(client, session):
    response = client.get(f"/nl/bookings/book/{session.id}")
    assert response.status_code == 302
    assert "/nl/login" in response.location and f"bookings/book/{session.id}" in response.location


def test_the_programme_page_links_each_session_to_its_booking_page(client, session):
    page = client.get(f"/nl/programmes/{session.programme.slug}").get_data(as_text=True)
    assert f"/nl/bookings/book/{session.id}" in page


def test_a_resident_books_and_gets_a_mail_with_the_appointment_in_their_language(app, client, login, session):
    resident = login("resident", locale="tr")
    response = book(client, session.id, lang="tr")
    assert response.status_code == 303
    made = db.session.scalar(select(Booking))
    assert made.status == "confirmed" and made.user_id == resident.id
    assert response.location.endswith(f"/tr/bookings/{made.id}")
    detail = client.get(response.location).get_data(as_text=True)
    assert "Birlikte yürüyüş" in detail
    (mail,) = outbox(app)
    assert mail["To"] == resident.email
    assert "Birlikte yürüyüş" in mail["Subject"]
    event = calendar_in(mail).events[0]
    assert str(event["SUMMARY"]) == "Birlikte yürüyüş"
    assert event.start == session.starts_at
    assert f"/tr/bookings/{made.id}" in body(mail)


def test_a_double_click_books_once(client, login, session):
    login("resident")
    path = f"/nl/bookings/book/{session.id}"
    key = form_key(client, path)
    token = csrf_token(client, path)
    first = client.post(path, data={"csrf_token": token, "key": key})
    second = client.post(path, data={"csrf_token": token, "key": key})
    assert first.status_code == second.status_code == 303 and first.location == second.location
    assert bookings_count() == 1


def test_a_full_session_offers_the_waiting_list_and_the_first_gets_a_freed_place(app, client, login, session):
    others = [UserFactory(role="resident") for _ in range(2)]
    held = [places.book(person, session.id, f"other-key-{n}-0123456789").booking for n, person in enumerate(others)]
    db.session.commit()
    login("resident")
    page = client.get(f"/en/bookings/book/{session.id}").get_data(as_text=True)
    assert "This session is full." in page and "Join the waiting list" in page
    assert book(client, session.id, lang="en").status_code == 303
    mine = db.session.scalar(select(Booking).order_by(Booking.id.desc()))
    assert mine.status == "waitlisted"
    assert outbox(app)[-1]["To"] == mine.user.email and not list(outbox(app)[-1].iter_attachments())

    places.cancel(held[0])
    db.session.commit()
    db.session.refresh(mine)
    assert mine.status == "confirmed"


def test_the_resident_cancels_and_the_mail_removes_it_from_the_calendar(app, client, login, session):
    login("resident")
    detail = book(client, session.id).location
    made = db.session.scalar(select(Booking))
    queued = UserFactory(role="resident")
    places.book(UserFactory(role="resident"), session.id, "filler-key-0123456789")
    places.book(queued, session.id, "queued-key-0123456789")
    db.session.commit()
    response = post_form(client, f"/nl/bookings/{made.id}/cancel", {}, token_from=detail)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, made.id).status == "cancelled"
    mails = outbox(app)
    cancelled = [m for m in mails if m["To"] == made.user.email][-1]
    assert str(calendar_in(cancelled)["METHOD"]) == "CANCEL"
    promoted = [m for m in mails if m["To"] == queued.email]
    assert promoted and str(calendar_in(promoted[-1]).events[0]["STATUS"]) == "CONFIRMED"


def test_after_the_cut_off_the_resident_is_told_to_call(client, login):
    soon = SessionFactory(starts_at=datetime.now(UTC) + timedelta(minutes=60))
    db.session.commit()
    login("resident")
    detail = book(client, soon.id).location
    made = db.session.scalar(select(Booking))
    page = client.get(detail).get_data(as_text=True)
    assert f"/nl/bookings/{made.id}/cancel" not in page
    response = post_form(client, f"/nl/bookings/{made.id}/cancel", {}, token_from=detail)
    assert response.status_code == 303
    db.session.refresh(made)
    assert made.status == "confirmed"


def test_an_overlapping_booking_is_a_warning_not_a_block(client, login, session):
    login("resident")
    book(client, session.id)
    same_time = SessionFactory(starts_at=session.starts_at + timedelta(minutes=15))
    db.session.commit()
    page = client.get(f"/nl/bookings/book/{same_time.id}").get_data(as_text=True)
    assert session.programme.text("nl").title in page
    assert book(client, same_time.id).status_code == 303
    assert bookings_count() == 2


def test_my_appointments_and_the_ics_download(client, login, session):
    login("resident")
    book(client, session.id)
    made = db.session.scalar(select(Booking))
    page = client.get("/nl/bookings").get_data(as_text=True)
    assert f"/nl/bookings/{made.id}" in page
    download = client.get(f"/nl/bookings/{made.id}/afspraak.ics")
    assert download.status_code == 200 and download.mimetype == "text/calendar"
    assert Calendar.from_ical(download.data).events[0]["UID"] == f"booking-{made.id}@wijkportaal"


@pytest.mark.parametrize("when", ["past", "cancelled"])
def test_a_past_or_cancelled_session_gets_a_clear_page_and_no_booking(client, login, when):
    item = (
        SessionFactory(starts_at=datetime.now(UTC) - timedelta(days=1))
        if when == "past"
        else SessionFactory(status="cancelled")
    )
    db.session.commit()
    login("resident")
    response = client.get(f"/nl/bookings/book/{item.id}")
    assert response.status_code == 409 and 'role="alert"' in response.get_data(as_text=True)
    token = csrf_token(client, "/nl/bookings")
    posted = client.post(f"/nl/bookings/book/{item.id}", data={"csrf_token": token, "key": "a-valid-key-0123456789"})
    assert posted.status_code == 409
    assert bookings_count() == 0


@pytest.mark.parametrize("path", ["/nl/bookings/book/999999", "/nl/bookings/book/-1", "/nl/bookings/book/abc"])
def test_unknown_or_malformed_session_ids_are_404(client, login, path):
    login("resident")
    assert client.get(path).status_code == 404


def test_an_unpublished_session_is_404(client, login):
    draft = SessionFactory(programme=ProgrammeFactory(status="draft"))
    db.session.commit()
    login("resident")
    assert client.get(f"/nl/bookings/book/{draft.id}").status_code == 404


def test_a_post_without_csrf_token_or_with_a_bad_key_books_nothing(client, login, session):
    login("resident")
    path = f"/nl/bookings/book/{session.id}"
    assert client.post(path, data={"key": "a-valid-key-0123456789"}).status_code == 400
    english = f"/en/bookings/book/{session.id}"
    for bad in ("", "short", "x" * 65, "<script>", "1; DROP TABLE bookings"):
        response = post_form(client, english, {"key": bad})
        assert response.status_code == 400
        assert "Something went wrong with the form" in response.get_data(as_text=True)
    assert bookings_count() == 0


def test_someone_elses_booking_is_404(client, login, session):
    other = UserFactory(role="resident")
    theirs = places.book(other, session.id, "their-key-0123456789").booking
    db.session.commit()
    login("resident")
    for path in (f"/nl/bookings/{theirs.id}", f"/nl/bookings/{theirs.id}/afspraak.ics"):
        assert client.get(path).status_code == 404
    token = csrf_token(client, "/nl/bookings")
    assert client.post(f"/nl/bookings/{theirs.id}/cancel", data={"csrf_token": token}).status_code == 404
    db.session.refresh(theirs)
    assert theirs.status == "confirmed"


def test_staff_cannot_book(client, login, session):
    login("broker")
    assert client.get(f"/nl/bookings/book/{session.id}").status_code == 403


def test_the_personal_calendar_feed_can_be_made_replaced_and_stopped(client, login, session):
    login("resident")
    book(client, session.id)
    page = post_form(client, "/nl/bookings/calendar-feed", {}, token_from="/nl/bookings").get_data(as_text=True)
    url = re.search(r"http://localhost(/api/v1/calendar/[A-Za-z0-9_-]+\.ics)", page).group(1)
    feed = client.get(url)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "no-store" in feed.headers["Cache-Control"]
    calendar = Calendar.from_ical(feed.data)
    assert len(calendar.events) == 1 and calendar.events[0].start == session.starts_at

    page = post_form(client, "/nl/bookings/calendar-feed", {}, token_from="/nl/bookings").get_data(as_text=True)
    new_url = re.search(r"http://localhost(/api/v1/calendar/[A-Za-z0-9_-]+\.ics)", page).group(1)
    assert client.get(url).status_code == 404 and client.get(new_url).status_code == 200
    post_form(client, "/nl/bookings/calendar-feed/stop", {}, token_from="/nl/bookings")
    assert client.get(new_url).status_code == 404


@pytest.mark.parametrize("token", ["x", "a" * 500, "..%2F..%2Fetc", "%00" * 40])
def test_bad_feed_tokens_are_404(client, token):
    assert client.get(f"/api/v1/calendar/{token}.ics").status_code in (400, 404)


def test_send_reminders_mails_once(app, runner):
    tomorrow = SessionFactory(starts_at=datetime.now(UTC) + timedelta(hours=20))
    resident = UserFactory(role="resident", locale="ar")
    places.book(resident, tomorrow.id, "reminder-key-0123456789")
    db.session.commit()
    first = runner.invoke(args=["send-reminders"])
    second = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0 and "sent: 1" in first.output
    assert second.exit_code == 0 and "sent: 0" in second.output
    mails = [m for m in outbox(app) if m["To"] == resident.email]
    assert len(mails) == 1
    assert "/ar/bookings/" in body(mails[0])


def test_random_booking_input_never_fails_and_books_at_most_once(make_app):
    loose = make_app(None, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    item = SessionFactory(capacity=1)
    resident = UserFactory(role="resident", second_factor="email")
    db.session.commit()
    client = loose.test_client()
    sign_in(client, resident)
    text = st.text(max_size=200) | st.sampled_from(["", "\x00", "x" * 5000, "=1+1", "a-valid-key-0123456789"])
    fields = st.dictionaries(st.sampled_from(["key", "csrf_token", "session_id", "user_id", "status"]), text)
    paths = st.sampled_from([f"/nl/bookings/book/{item.id}", "/nl/bookings/1/cancel", "/nl/bookings/calendar-feed"])

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=fields, path=paths)
    def check(data, path):
        response = client.post(path, data=data)
        assert response.status_code in (200, 303, 400, 404), (path, data, response.status_code)

    check()
    db.session.expire_all()
    active = db.session.scalars(select(Booking).where(Booking.status != "cancelled")).all()
    assert len(active) <= 1 and all(b.user_id == resident.id for b in active)


def test_the_programme_page_shows_a_resident_their_own_booking(client, login, session):
    login("resident")
    book(client, session.id)
    made = db.session.scalar(select(Booking))
    page = client.get(f"/en/programmes/{session.programme.slug}").get_data(as_text=True)
    assert "You have booked this" in page and f"/en/bookings/{made.id}" in page
    assert f"/en/bookings/book/{session.id}" not in page


def test_a_waiting_list_place_in_the_past_says_no_place_became_free(client, login):
    resident = login("resident")
    old = SessionFactory(starts_at=datetime.now(UTC) - timedelta(days=2))
    db.session.add(Booking(session=old, user=resident, status="waitlisted", idempotency_key="old-waiting-0123456789"))
    db.session.commit()
    page = client.get("/en/bookings").get_data(as_text=True)
    assert "No place became free" in page and "You have no appointments coming up." in page


def test_my_appointments_page_the_coming_ones_and_put_older_past_ones_behind_a_link(client, login):
    resident = login("resident")
    now = datetime.now(UTC).replace(microsecond=0)
    made = {}
    for number in range(22):  # a page of coming bookings is 20; the page shows the 5 newest past ones
        for days in (number + 1, -number - 1):
            session = SessionFactory(starts_at=now + timedelta(days=days))
            made[days] = Booking(
                session=session, user=resident, status="confirmed", idempotency_key=f"k{days:+04d}" * 4
            )
            db.session.add(made[days])
    db.session.commit()
    first = client.get("/nl/bookings").get_data(as_text=True)
    assert f'/nl/bookings/{made[20].id}"' in first and f'/nl/bookings/{made[21].id}"' not in first
    assert f'/nl/bookings/{made[-5].id}"' in first and f'/nl/bookings/{made[-6].id}"' not in first
    assert 'href="/nl/bookings?page=2#upcoming-heading"' in first and 'href="/nl/bookings?past=1#past-heading"' in first
    second = client.get("/nl/bookings?page=2").get_data(as_text=True)
    assert f'/nl/bookings/{made[21].id}"' in second and f'/nl/bookings/{made[22].id}"' in second
    assert f'/nl/bookings/{made[1].id}"' not in second and 'href="/nl/bookings?page=1#upcoming-heading"' in second
    past = client.get("/nl/bookings?past=2").get_data(as_text=True)
    assert f'/nl/bookings/{made[-21].id}"' in past and f'/nl/bookings/{made[-20].id}"' not in past
    assert 'href="/nl/bookings?past=1#past-heading"' in past


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-3",
        "page=abc",
        "past=-1",
        "past=x",
        "page=99999&past=99999",
        "page=99999999999999999999999&past=99999999999999999999999",
    ],
)
def test_my_appointments_take_bad_page_numbers_calmly(client, login, query):
    login("resident")
    assert client.get(f"/nl/bookings?{query}").status_code == 200

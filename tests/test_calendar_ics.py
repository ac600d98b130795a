"""The iCalendar rendering of bookings and residents' secret calendar feed addresses."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import text

from portal.extensions import db
from portal.models import Booking, CalendarFeed
from portal.services.booking.calendar_feeds import feed_user, new_feed, stop_feed
from portal.services.booking.calendar_ics import booking_calendar, feed_calendar
from portal.services.tokens import digest
from tests.factories import ProgrammeFactory, SessionFactory, UserFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
URL = "https://wijkportaal.example/boekingen/1"


def local(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """An aware UTC datetime for a wall-clock time in Amsterdam."""
    return datetime(year, month, day, hour, tzinfo=AMSTERDAM).astimezone(UTC)


def make_booking(starts_at: datetime | None = None, status: str = "confirmed", **programme) -> Booking:
    """A resident's booking of a one-hour session starting at `starts_at` (default 2027-03-23 10:00 local)."""
    starts_at = starts_at or local(2027, 3, 23)
    session = SessionFactory(
        programme=ProgrammeFactory(**programme), starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    booking = Booking(
        session=session,
        user=UserFactory(role="resident"),
        status=status,
        idempotency_key=secrets.token_hex(16),
        cancelled_at=datetime.now(UTC) if status == "cancelled" else None,
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def only_event(data: bytes):
    """The single VEVENT of a calendar."""
    events = Calendar.from_ical(data).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_booking_calendar_has_one_event_in_the_chosen_language(app):
    booking = make_booking(texts={"tr": "Yürüyüş"})
    location = booking.session.programme.location
    event = only_event(booking_calendar(booking, "tr", URL))

    assert str(event["UID"]) == f"booking-{booking.id}@wijkportaal"
    assert str(event["SUMMARY"]) == "Yürüyüş"
    assert str(event["LOCATION"]) == (
        f"{location.name}, {location.street} {location.house_number}, {location.postcode} {location.city}"
    )
    assert str(event["URL"]) == URL
    assert str(event["DESCRIPTION"]) == f"Yürüyüş in het kort\n\n{URL}"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert str(event["ORGANIZER"]) == "mailto:wijkportaal@localhost"
    assert event["ORGANIZER"].params["CN"] == booking.session.programme.organisation.name


def test_summary_falls_back_to_dutch(app):
    booking = make_booking(texts={"tr": "Yürüyüş"})
    event = only_event(booking_calendar(booking, "ar", URL))
    assert str(event["SUMMARY"]) == booking.session.programme.text("nl").title


def test_no_location_line_without_a_location(app):
    booking = make_booking(location=None)
    assert "LOCATION" not in only_event(booking_calendar(booking, "nl", URL))


@pytest.mark.parametrize("method", ["PUBLISH", "REQUEST"])
def test_publish_and_request_are_confirmed(app, method):
    calendar = Calendar.from_ical(booking_calendar(make_booking(), "nl", URL, method))
    assert str(calendar["METHOD"]) == method
    event = calendar.walk("VEVENT")[0]
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CONFIRMED", 0)


def test_cancel_method_cancels_the_same_event(app):
    booking = make_booking()
    calendar = Calendar.from_ical(booking_calendar(booking, "nl", URL, "CANCEL"))
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == f"booking-{booking.id}@wijkportaal"
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 1)


def test_unknown_method_is_refused(app):
    with pytest.raises(ValueError):
        booking_calendar(make_booking(), "nl", URL, "REFRESH")


def test_required_properties_crlf_and_folding(app):
    title = "Wandelen door de wijk met koffie, thee en een praatje " * 2  # forces folding, within 160 characters
    booking = make_booking(texts={"ar": "مشي في الحي مع القهوة والشاي " * 3, "en": title})
    for locale in ("ar", "en"):
        data = booking_calendar(booking, locale, URL)
        calendar = Calendar.from_ical(data)
        event = calendar.walk("VEVENT")[0]
        assert str(calendar["VERSION"]) == "2.0"
        assert str(calendar["PRODID"]) == "-//Wijkportaal//Bookings//NL"
        assert str(calendar["CALSCALE"]) == "GREGORIAN"
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND"} <= set(event)
        assert event["DTSTAMP"].dt.tzinfo is not None and event["DTSTAMP"].dt.utcoffset() == timedelta(0)
        assert data.endswith(b"END:VCALENDAR\r\n")
        lines = data.split(b"\r\n")[:-1]
        assert all(b"\n" not in line and b"\r" not in line for line in lines)
        assert max(len(line) for line in lines) <= 75
        assert any(line.startswith(b" ") for line in lines)  # something was folded
        assert str(event["SUMMARY"]) == booking.session.programme.text(locale).title


def test_uid_is_the_same_in_mail_download_and_feed(app):
    booking = make_booking()
    uids = {str(only_event(booking_calendar(booking, "nl", URL, method))["UID"]) for method in ("PUBLISH", "REQUEST")}
    uids.add(str(only_event(feed_calendar([booking], "nl", "Mijn", lambda b: URL))["UID"]))
    assert uids == {f"booking-{booking.id}@wijkportaal"}


def timezone_parts(data: bytes) -> dict[str, set[str]]:
    """The TZOFFSETTO lines of the STANDARD and DAYLIGHT parts of the one (Europe/Amsterdam) VTIMEZONE."""
    (timezone,) = Calendar.from_ical(data).walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/Amsterdam"
    text = data.decode()
    parts = {"STANDARD": set(), "DAYLIGHT": set()}
    for name in parts:
        for block in text.split(f"BEGIN:{name}\r\n")[1:]:
            block = block.split(f"END:{name}\r\n")[0]
            parts[name] |= {line for line in block.split("\r\n") if line.startswith("TZOFFSETTO:")}
        assert len(parts[name]) >= 1 and len(timezone.walk(name)) >= 1
    return parts


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        ((2027, 3, 23), 9),  # winter time, UTC+1
        ((2027, 3, 30), 8),  # summer time, UTC+2
        ((2027, 10, 24), 8),  # last Sunday of summer time
        ((2027, 10, 31), 9),  # the autumn change itself (03:00 -> 02:00): winter time by 10:00
        ((2027, 11, 7), 9),
    ],
)
def test_local_time_across_summer_time_changes(app, day, utc_hour):
    booking = make_booking(local(*day))
    data = booking_calendar(booking, "nl", URL)
    stamp = "{:04d}{:02d}{:02d}".format(*day)
    assert f"DTSTART;TZID=Europe/Amsterdam:{stamp}T100000\r\n".encode() in data
    assert f"DTEND;TZID=Europe/Amsterdam:{stamp}T110000\r\n".encode() in data

    calendar = Calendar.from_ical(data)
    start = calendar.walk("VEVENT")[0]["DTSTART"].dt
    assert start.astimezone(UTC) == datetime(*day, utc_hour, tzinfo=UTC)
    parts = timezone_parts(data)
    assert "TZOFFSETTO:+0100" in parts["STANDARD"]
    assert "TZOFFSETTO:+0200" in parts["DAYLIGHT"]


def test_feed_across_spring_change_has_one_timezone_with_both_rules(app):
    winter, summer = make_booking(local(2027, 3, 23)), make_booking(local(2027, 3, 30))
    data = feed_calendar([winter, summer], "nl", "Wijkportaal", lambda b: URL)
    calendar = Calendar.from_ical(data)
    starts = sorted(event["DTSTART"].dt.astimezone(UTC) for event in calendar.walk("VEVENT"))
    assert starts == [datetime(2027, 3, 23, 9, tzinfo=UTC), datetime(2027, 3, 30, 8, tzinfo=UTC)]
    assert timezone_parts(data) == {"STANDARD": {"TZOFFSETTO:+0100"}, "DAYLIGHT": {"TZOFFSETTO:+0200"}}


def test_feed_has_an_event_per_booking_a_name_and_a_refresh_interval(app):
    first, second = make_booking(local(2027, 5, 4)), make_booking(local(2027, 5, 11))
    data = feed_calendar([first, second], "nl", "Mijn afspraken", lambda b: f"https://wijk.example/b/{b.id}")
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")

    assert sorted(str(event["UID"]) for event in events) == sorted(
        f"booking-{b.id}@wijkportaal" for b in (first, second)
    )
    assert {str(event["URL"]) for event in events} == {f"https://wijk.example/b/{b.id}" for b in (first, second)}
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Mijn afspraken"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Amsterdam"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in data


def test_feed_shows_a_cancelled_session_as_cancelled(app):
    booking = make_booking()
    booking.session.status = "cancelled"
    event = only_event(feed_calendar([booking], "nl", "Mijn", lambda b: URL))
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 1)


def test_empty_feed_is_a_valid_calendar(app):
    calendar = Calendar.from_ical(feed_calendar([], "nl", "Mijn afspraken", lambda b: URL))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "Mijn afspraken"


def test_new_feed_token_finds_its_user_and_only_the_hash_is_stored(app):
    resident = UserFactory(role="resident")
    token = new_feed(resident)

    assert feed_user(token) == resident
    row = db.session.execute(text("SELECT * FROM calendar_feeds WHERE user_id = :id"), {"id": resident.id}).one()
    assert row.token_hash == digest(token)
    assert len(row.token_hash) == 64
    assert all(token not in str(value) for value in row)
    assert db.session.get(CalendarFeed, resident.id).last_used_at is not None


def test_a_new_feed_replaces_the_old_one(app):
    resident = UserFactory(role="resident")
    old = new_feed(resident)
    new = new_feed(resident)

    assert old != new
    assert feed_user(old) is None
    assert feed_user(new) == resident
    assert db.session.query(CalendarFeed).filter_by(user_id=resident.id).count() == 1


def test_stop_feed(app):
    resident = UserFactory(role="resident")
    token = new_feed(resident)

    assert stop_feed(resident) is True
    assert feed_user(token) is None
    assert stop_feed(resident) is False


def test_feeds_of_two_residents_are_apart(app):
    first, second = UserFactory(role="resident"), UserFactory(role="resident")
    tokens = new_feed(first), new_feed(second)
    assert [feed_user(token) for token in tokens] == [first, second]


def test_feed_of_a_deactivated_account_stops(app):
    resident = UserFactory(role="resident")
    token = new_feed(resident)
    resident.is_active_account = False
    assert feed_user(token) is None


@pytest.mark.parametrize(
    "token",
    ["", "x" * 1000, "abc\x00" + "a" * 40, "\ud800" * 43, None, secrets.token_urlsafe(32)],
    ids=["empty", "overlong", "nul", "surrogate", "none", "unknown"],
)
def test_feed_user_refuses_garbage(app, token):
    new_feed(UserFactory(role="resident"))
    assert feed_user(token) is None

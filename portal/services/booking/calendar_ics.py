"""iCalendar (RFC 5545) for bookings: one event for a mail or a download, and a resident's feed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vDuration

from portal.config import TIMEZONE
from portal.models import Booking
from portal.models.base import utcnow

PRODID = "-//Wijkportaal//Bookings//NL"
METHODS = ("PUBLISH", "REQUEST", "CANCEL")
REFRESH = timedelta(hours=1)
_ZONE = ZoneInfo(TIMEZONE)


def booking_calendar(booking: Booking, locale: str, url: str, method: str = "PUBLISH") -> bytes:
    """A calendar with one event for the booking's session: PUBLISH (download), REQUEST or CANCEL (mail)."""
    if method not in METHODS:
        raise ValueError(f"unknown iTIP method {method!r}")
    calendar = _calendar(method)
    calendar.add_component(_event(booking, locale, url, cancelled=method == "CANCEL"))
    return _finish(calendar)


def feed_calendar(
    bookings: Iterable[Booking], locale: str, name: str, url_for_booking: Callable[[Booking], str]
) -> bytes:
    """A resident's feed: one event per booking given, cancelled when the booking or its session is."""
    calendar = _calendar("PUBLISH")
    calendar.calendar_name = name  # NAME and X-WR-CALNAME
    calendar.add("X-WR-TIMEZONE", TIMEZONE)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    for booking in bookings:
        cancelled = booking.status == "cancelled" or booking.session.status == "cancelled"
        calendar.add_component(_event(booking, locale, url_for_booking(booking), cancelled=cancelled))
    return _finish(calendar)


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    return calendar


def _event(booking: Booking, locale: str, url: str, cancelled: bool) -> Event:
    session = booking.session
    programme = session.programme
    text = programme.text(locale)
    event = Event.new(
        uid=f"booking-{booking.id}@wijkportaal",
        stamp=utcnow(),
        start=session.starts_at.astimezone(_ZONE),
        end=session.ends_at.astimezone(_ZONE),
        summary=text.title,
        location=_address(programme.location),
        description=f"{text.summary}\n\n{url}",
        url=url,
        status="CANCELLED" if cancelled else "CONFIRMED",
        sequence=session.revision + (1 if cancelled else 0),
    )
    event.add("ORGANIZER", _organizer(programme))
    return event


def _organizer(programme) -> vCalAddress:
    """The organising organisation, reachable at the programme's contact address or the portal's sender."""
    address = programme.contact_email or current_app.config["MAIL_DEFAULT_SENDER"]
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = programme.organisation.name
    return organizer


def _address(location) -> str | None:
    if location is None:
        return None
    return f"{location.name}, {location.street} {location.house_number}, {location.postcode} {location.city}"


def _finish(calendar: Calendar) -> bytes:
    """Add the VTIMEZONE, from 1 January of the first event's year to the end of the last one's (both rules)."""
    days = [event.start.date() for event in calendar.events] + [event.end.date() for event in calendar.events]
    if days:
        first, last = min(days), max(days)
        calendar.add_missing_timezones(date(first.year, 1, 1), date(last.year + 1, 1, 1))
    return calendar.to_ical()

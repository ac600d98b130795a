"""Mails about bookings, in the resident's language, with the appointment as an .ics attachment."""

from __future__ import annotations

from portal.links import external_url
from portal.models import Booking
from portal.services.booking.calendar_ics import booking_calendar
from portal.services.booking.places import SessionNotices
from portal.services.mail import Attachment, send_mail

# template -> iCalendar method of the attachment (None: no attachment)
TEMPLATES = {
    "booking_confirmed": "PUBLISH",
    "booking_waitlisted": None,
    "booking_promoted": "PUBLISH",
    "booking_cancelled": "CANCEL",
    "session_cancelled": "CANCEL",
    "booking_reminder": "PUBLISH",
    "session_moved": "PUBLISH",
}


def booking_url(booking: Booking, locale: str) -> str:
    """The resident's page of this booking."""
    return external_url("booking.detail", lang=locale, booking_id=booking.id)


def send_booking_mail(booking: Booking, template: str) -> bool:
    """Send one of the booking mails to the resident who booked; False when it could not be sent."""
    method = TEMPLATES[template]
    user = booking.user
    locale = user.locale
    url = booking_url(booking, locale)
    attachments = ()
    if method is not None:
        attachments = (
            Attachment(
                "afspraak.ics",
                booking_calendar(booking, locale, url, method=method),
                "text/calendar",
                {"method": method, "charset": "utf-8"},
            ),
        )
    session = booking.session
    programme = session.programme
    return send_mail(
        user.email,
        locale,
        template,
        attachments=attachments,
        display_name=user.display_name,
        title=programme.text(locale).title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=programme.location,
        organisation=programme.organisation.name,
        link=url,
        link_bookings=external_url("booking.index", lang=locale),
    )


def send_all(bookings, template: str) -> int:
    """Send the mail to each booking's resident; returns how many went out."""
    return sum(send_booking_mail(booking, template) for booking in bookings)


def send_notices(notices: SessionNotices) -> int:
    """Send the mails an organiser's change of sessions calls for; returns how many residents lost a place."""
    send_all(notices.promoted, "booking_promoted")
    send_all(notices.moved, "session_moved")
    return send_all(notices.cancelled, "session_cancelled")

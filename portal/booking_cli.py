"""The send-reminders command, for cron: a reminder mail a day before each booked place, once."""

from __future__ import annotations

import click

from portal.extensions import db
from portal.models import Booking
from portal.services.booking import reminders
from portal.services.booking.mail import send_booking_mail


@click.command("send-reminders")
def send_reminders() -> None:
    """Mail a reminder for every booked place that starts within 24 hours; running it twice sends once."""
    sent = failed = 0
    for booking_id in reminders.due():
        claimed = reminders.claim(booking_id)
        db.session.commit()
        if not claimed:
            continue
        if send_booking_mail(db.session.get(Booking, booking_id), "booking_reminder"):
            sent += 1
        else:
            reminders.release(booking_id)
            db.session.commit()
            failed += 1
    click.echo(f"Reminders sent: {sent}; failed (tried again next run): {failed}.")
    if failed:
        raise SystemExit(1)

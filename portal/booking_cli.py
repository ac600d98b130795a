"""The send-reminders command, for cron: a reminder mail a day before each booked place, once."""

from __future__ import annotations

import click

from portal.extensions import db
from portal.models import Booking
from portal.services import mail_outbox
from portal.services.booking import reminders
from portal.services.booking.mail import send_booking_mail


@click.command("send-reminders")
def send_reminders() -> None:
    """Queue a reminder for every booked place that starts within 24 hours; running it twice queues once.

    The claim and the queued mail commit together; the mails are then sent (failures wait for `flask send-mail`)."""
    queued = failed = 0
    for booking_id in reminders.due():
        if not reminders.claim(booking_id):
            db.session.rollback()
            continue
        if send_booking_mail(db.session.get(Booking, booking_id), "booking_reminder"):
            db.session.commit()
            queued += 1
        else:
            db.session.rollback()  # the claim goes too: the next run tries again
            failed += 1
    tally = mail_outbox.deliver_committed()
    click.echo(
        f"Reminders sent: {tally.sent}; queued for flask send-mail: {queued - tally.sent}; "
        f"failed (tried again next run): {failed}."
    )
    if failed:
        raise SystemExit(1)

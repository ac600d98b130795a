"""The `flask health-check` commands for cron: reminders to fill in the health check again."""

from __future__ import annotations

import click

from portal.services import mail_outbox
from portal.services.health_check import reminders


@click.group("health-check")
def health_check() -> None:
    """Health check jobs: run `remind` once a day."""


@health_check.command("remind")
def remind() -> None:
    """Mail each resident whose health check reminder is due (once, without any health data)."""
    sent = reminders.send_due()
    tally = mail_outbox.deliver_committed()
    click.echo(f"Reminded {sent} residents of their health check; mails sent now: {tally.sent}.")

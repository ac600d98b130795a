"""The `flask referrals` commands for cron: the follow-up of open referral loops."""

from __future__ import annotations

import click

from portal.services import mail_outbox
from portal.services.referrals import followup


@click.group("referrals")
def referrals() -> None:
    """Referral jobs: run `follow-up` once a working day."""


@referrals.command("follow-up")
def follow_up() -> None:
    """Remind teams of referrals without news for 10 working days; ask residents how it goes after 30 days."""
    reminded = followup.remind_receivers()
    asked = followup.ask_residents()
    tally = mail_outbox.deliver_committed()
    click.echo(f"Reminded the teams of {reminded} referrals, asked {asked} residents; mails sent now: {tally.sent}.")

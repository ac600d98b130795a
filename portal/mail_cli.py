"""The send-mail command: deliver the mail outbox once (for cron) or as a long-running worker (--loop)."""

from __future__ import annotations

import logging
import signal
import time
from datetime import timedelta

import click
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.services import mail_outbox

logger = logging.getLogger("portal.mail")
PURGE_EVERY = 3600  # seconds between purges in --loop


def _run_once(batch: int, policy: mail_outbox.Policy) -> mail_outbox.Tally:
    """Send due mails in batches until none is due; returns the total."""
    total = mail_outbox.Tally()
    while True:
        tally = mail_outbox.send_due(batch, policy)
        for field in ("sent", "retrying", "failed", "skipped"):
            setattr(total, field, getattr(total, field) + getattr(tally, field))
        if tally.sent + tally.retrying + tally.failed + tally.skipped < batch:
            return total


def _report(tally: mail_outbox.Tally, purged: int) -> None:
    click.echo(
        f"Mails sent: {tally.sent}; to retry later: {tally.retrying}; failed for good: {tally.failed}; "
        f"held by another sender: {tally.skipped}; old mails deleted: {purged}."
    )


def _loop(batch: int, policy: mail_outbox.Policy, interval: float, keep: timedelta) -> None:
    """Send due mails until SIGTERM or SIGINT (the mail in hand is finished first); a database fault waits."""
    stopping = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stopping.append(True))
    last_purge = 0.0
    click.echo(f"Sending mail every {interval:g} s; stop with SIGTERM.")
    while not stopping:
        try:
            tally = mail_outbox.send_due(batch, policy)
            if time.monotonic() - last_purge > PURGE_EVERY:
                purged, last_purge = mail_outbox.purge(keep), time.monotonic()
                _report(tally, purged)
            elif tally.sent or tally.retrying or tally.failed:
                _report(tally, 0)
        except SQLAlchemyError as error:
            db.session.rollback()
            logger.warning("send-mail: database error, trying again: %s", type(error).__name__)
            tally = mail_outbox.Tally()
        if tally.sent + tally.retrying + tally.failed + tally.skipped < batch:
            time.sleep(interval)  # nothing more due right now
    click.echo("send-mail stopped.")


@click.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep running as a worker instead of sending once.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between looks at the outbox (--loop).")
@click.option("--batch", default=100, show_default=True, help="Mails claimed per round.")
@click.option("--max-attempts", default=8, show_default=True, help="Tries before a mail is marked failed.")
@click.option("--retry-after", default=60, show_default=True, help="Seconds before the first retry; doubles each time.")
@click.option("--lease", default=300, show_default=True, help="Seconds a sender holds a claimed mail.")
@click.option(
    "--keep-days", default=30, show_default=True, help="Days sent and failed mails are kept (they hold personal data)."
)
def send_mail_command(loop, interval, batch, max_attempts, retry_after, lease, keep_days) -> None:
    """Send the queued mails that are due, retry failures with back-off, and delete old sent mails."""
    if min(batch, max_attempts, retry_after, lease) < 1 or keep_days < 0 or interval <= 0:
        raise click.BadParameter("numbers must be positive")
    policy = mail_outbox.Policy(
        lease=timedelta(seconds=lease), max_attempts=max_attempts, retry_after=timedelta(seconds=retry_after)
    )
    keep = timedelta(days=keep_days)
    if loop:
        _loop(batch, policy, interval, keep)
        return
    tally = _run_once(batch, policy)
    _report(tally, mail_outbox.purge(keep))
    if tally.failed:
        raise SystemExit(1)

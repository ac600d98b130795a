"""The `flask messages` commands for cron and operators: reminders, daily summaries, away periods, key rotation."""

from __future__ import annotations

import click
from cryptography.fernet import InvalidToken
from sqlalchemy import Text, literal, select, type_coerce, update

from portal.extensions import db
from portal.models import Base, CareRelation
from portal.models.sealed import SealedText, key_ring
from portal.services import mail_outbox
from portal.services.messaging import attachments, away
from portal.services.messaging import mail as message_mail


@click.group("messages")
def messages() -> None:
    """Messaging jobs: run `remind` and `return-away` hourly, `summaries` once a day."""


@messages.command("remind")
def remind() -> None:
    """Remind each team once about threads waiting past the promised reply time."""
    queued = message_mail.remind_overdue()
    tally = mail_outbox.deliver_committed()
    click.echo(f"Overdue reminders queued: {queued}; sent now: {tally.sent}.")


@messages.command("summaries")
def summaries() -> None:
    """Send the daily summary to residents who chose it; running it twice mails once."""
    sent = message_mail.send_daily_summaries()
    tally = mail_outbox.deliver_committed()
    click.echo(f"Daily summaries queued: {sent}; sent now: {tally.sent}.")


@messages.command("return-away")
def return_away() -> None:
    """Give the threads of professionals whose away period has begun back to their team."""
    count = away.return_threads_of_absent()
    db.session.commit()
    click.echo(f"Threads returned to their team: {count}.")


def sealed_columns() -> list[tuple[type, str]]:
    """Every (model, column name) stored as SealedText: messages, notes, file names, referrals and what comes."""
    return [
        (mapper.class_, column.key)
        for mapper in sorted(Base.registry.mappers, key=lambda m: m.class_.__name__)
        for column in mapper.columns
        if isinstance(column.type, SealedText)
    ]


@messages.command("rotate-key")
@click.option("--batch", default=500, show_default=True, help="Rows per transaction.")
def rotate_key(batch: int) -> None:
    """Encrypt every sealed text (messages, subjects, notes, file names, referral notes) and every file again with
    the first key of PORTAL_MESSAGE_KEYS.

    Put the new key first and keep the old ones after it; when this has run, the old keys can go."""
    ring = key_ring()
    total = unreadable = 0
    for model, name in sealed_columns():
        raw = type_coerce(getattr(model, name), Text)  # the stored token, not decrypted
        last = 0
        while rows := db.session.execute(
            select(model.id, raw).where(model.id > last).order_by(model.id).limit(batch)
        ).all():
            for row_id, token in rows:
                if token is None:
                    continue
                try:
                    fresh = ring.rotate(token.encode("ascii")).decode("ascii")
                except InvalidToken:
                    unreadable += 1  # left as it is: no configured key opens it
                    continue
                stored = literal(fresh, type_=Text)  # as it is: already sealed, not to be sealed again
                db.session.execute(update(model).where(model.id == row_id).values({name: stored}))
                total += 1
            db.session.commit()
            last = rows[-1][0]
    files, unreadable_files = attachments.rotate_all()
    unreadable += unreadable_files
    click.echo(f"Texts sealed again: {total}; files encrypted again: {files}; not opened by any key: {unreadable}.")
    if unreadable:
        raise SystemExit(1)


@messages.command("purge-invitations")
def purge_invitations() -> None:
    """Forget the e-mail address of invitations that expired unused."""
    from portal.models.base import utcnow

    changed = db.session.execute(
        update(CareRelation)
        .where(CareRelation.status == "invited", CareRelation.expires_at < utcnow())
        .values(invited_email=None, code_hash=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    click.echo(f"Expired invitations cleared: {changed}.")

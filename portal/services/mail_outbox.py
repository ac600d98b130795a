"""Delivering the mail outbox: claim due mails with a lease, send each once, retry with back-off, purge old rows."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from sqlalchemy import delete, event, or_, select, update

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.mail import OutboxMail
from portal.services import mail as mail_service

logger = logging.getLogger("portal.mail")

_FLUSHED = "outbox_flushed"  # ids of mails this session inserted in its open transaction
_COMMITTED = "outbox_committed"  # ids of mails this session committed and has not tried to send yet
# Mails to an erased account: once the server has them, their row (name, address) is deleted at once.
FORGET_WHEN_SENT = frozenset({"account_deleted"})


@dataclass(frozen=True)
class Policy:
    """How long a claim holds, how often a mail is tried, and the first wait before a retry (it doubles)."""

    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 8
    retry_after: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=6)


DEFAULT_POLICY = Policy()


@dataclass
class Tally:
    """What one run of the sender did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by another sender first

    def add(self, outcome: str) -> None:
        """Count one delivery outcome."""
        setattr(self, outcome, getattr(self, outcome) + 1)


def backoff(attempts: int, policy: Policy = DEFAULT_POLICY) -> timedelta:
    """The wait after the `attempts`-th failed try: retry_after, doubled each time, at most max_delay."""
    return min(policy.retry_after * (2 ** max(attempts - 1, 0)), policy.max_delay)


def claim(mail_id: int, policy: Policy = DEFAULT_POLICY) -> bool:
    """Take a due queued mail for `policy.lease` and count the attempt, in its own commit; False when not ours."""
    now = utcnow()
    result = db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.status == "queued",
            OutboxMail.next_attempt_at <= now,
            or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
        )
        .values(claimed_until=now + policy.lease, attempts=OutboxMail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _mark_sent(mail_id: int, template: str) -> None:
    """Record, in its own commit, that the server accepted the mail (or forget it, for FORGET_WHEN_SENT)."""
    if template in FORGET_WHEN_SENT:
        statement = delete(OutboxMail).where(OutboxMail.id == mail_id)
    else:
        statement = (
            update(OutboxMail)
            .where(OutboxMail.id == mail_id)
            .values(status="sent", sent_at=utcnow(), claimed_until=None, last_error="")
        )
    db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.commit()


def _record_failure(mail: OutboxMail, error: Exception, policy: Policy) -> str:
    """Queue the mail again after its back-off, or give up after max_attempts; returns the outcome."""
    kind = mail_service.describe(error)[:80]
    domain = mail.recipient.rpartition("@")[2] or "?"
    given_up = mail.attempts >= policy.max_attempts
    now = utcnow()
    mail.claimed_until = None
    mail.last_error = kind
    if given_up:
        mail.status, mail.next_attempt_at = "failed", now
        logger.error(
            "mail %s #%s to @%s failed after %d attempts: %s", mail.template, mail.id, domain, mail.attempts, kind
        )
    else:
        mail.next_attempt_at = now + backoff(mail.attempts, policy)
        logger.warning(
            "mail %s #%s to @%s not sent (attempt %d, retry at %s): %s",
            mail.template, mail.id, domain, mail.attempts, mail.next_attempt_at.isoformat(), kind,
        )  # fmt: skip
    db.session.commit()
    return "failed" if given_up else "retrying"


def deliver_one(mail_id: int, policy: Policy = DEFAULT_POLICY) -> str:
    """Claim one mail and send it; returns 'sent', 'retrying', 'failed' or 'skipped' (not ours, or not due)."""
    if not claim(mail_id, policy):
        return "skipped"
    mail = db.session.get(OutboxMail, mail_id)
    template, locale, domain = mail.template, mail.locale, mail.recipient.rpartition("@")[2]
    accepted = []

    def on_accepted() -> None:
        # The server has the mail now. A crash before this commit is the one window in which it goes out twice.
        _mark_sent(mail_id, template)
        accepted.append(True)

    try:
        where = mail_service.deliver(mail, on_accepted)
    except (smtplib.SMTPException, OSError, ValueError) as error:
        if accepted:  # only the goodbye (QUIT) failed
            where = f"(after it: {mail_service.describe(error)})"
        else:
            return _record_failure(mail, error, policy)
    logger.info("mail %s (%s) #%s to @%s sent via %s", template, locale, mail_id, domain, where)
    return "sent"


def due_ids(limit: int) -> list[int]:
    """Up to `limit` queued mails whose time has come and that no sender holds, oldest first."""
    now = utcnow()
    query = (
        select(OutboxMail.id)
        .where(
            OutboxMail.status == "queued",
            OutboxMail.next_attempt_at <= now,
            or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
        )
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(limit)
    )
    ids = list(db.session.scalars(query))
    db.session.commit()  # end the read transaction; each claim is its own
    return ids


def send_due(limit: int = 100, policy: Policy = DEFAULT_POLICY) -> Tally:
    """Send up to `limit` due mails, each claimed and marked in its own commits."""
    tally = Tally()
    for mail_id in due_ids(limit):
        tally.add(deliver_one(mail_id, policy))
    return tally


def deliver_committed(policy: Policy = DEFAULT_POLICY) -> Tally:
    """Try to send the mails this session has committed since the last call; a failure leaves them queued."""
    tally = Tally()
    for mail_id in db.session.info.pop(_COMMITTED, []):
        tally.add(deliver_one(mail_id, policy))
    return tally


def purge(older_than: timedelta) -> int:
    """Delete sent mails sent, and failed mails given up, more than `older_than` ago; returns how many."""
    cutoff = utcnow() - older_than
    result = db.session.execute(
        delete(OutboxMail)
        .where(
            or_(
                (OutboxMail.status == "sent") & (OutboxMail.sent_at < cutoff),
                (OutboxMail.status == "failed") & (OutboxMail.next_attempt_at < cutoff),
            )
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def _after_flush(session, _flush_context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, OutboxMail)]
    if ids:
        session.info.setdefault(_FLUSHED, []).extend(ids)


def _after_commit(session) -> None:
    flushed = session.info.pop(_FLUSHED, [])
    if flushed:
        session.info.setdefault(_COMMITTED, []).extend(flushed)


def _after_rollback(session) -> None:
    session.info.pop(_FLUSHED, None)


def _deliver_after_request(response):
    """After the view's commit, try to send what it queued; anything that fails stays queued for `flask send-mail`."""
    if db.session.info.get(_COMMITTED):
        try:
            deliver_committed()
        except Exception:  # noqa: BLE001  (a delivery problem never spoils the answer; the mails stay queued)
            db.session.rollback()
            logger.exception("mail delivery after the request failed; the mails stay queued")
    return response


def init_app(app: Flask) -> None:
    """Track the outbox rows each session commits, and send them at the end of the request that queued them."""
    for name, listener in (("after_flush", _after_flush), ("after_commit", _after_commit)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
    if not event.contains(db.session, "after_rollback", _after_rollback):
        event.listen(db.session, "after_rollback", _after_rollback)
    app.after_request(_deliver_after_request)

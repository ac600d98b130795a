"""Following up a referral: a reminder to a quiet receiving team, the 30-day question to the resident, the answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal.extensions import db
from portal.links import external_url
from portal.models import Referral, ReferralEvent, User
from portal.models.base import utcnow
from portal.services.booking.places import IDEMPOTENCY_KEY, for_change
from portal.services.mail import send_mail
from portal.services.referrals.mail import notify_resident, team_addresses
from portal.services.referrals.overdue import FOLLOW_UP_AFTER_DAYS, REMIND_AFTER_WORKING_DAYS, overdue_condition
from portal.services.referrals.referrals import ReferralError, clean_note, record_event

GOING = ("yes", "not_yet", "no")
HELPS = ("yes", "a_little", "no", "not_started")
MAX_ANSWER_NOTE = 1000
# Statuses in which the resident is asked, 30 days after the team accepted.
ASKED_IN = ("accepted", "in-progress", "on-hold", "completed")


def _not_reminded():
    """Not reminded since the referral's last change."""
    return Referral.reminded_at.is_(None) | (Referral.reminded_at < Referral.changed_at)


def _claim(condition, values: dict) -> bool:
    """Set `values` on one referral only while `condition` still holds (one statement); True when this run got it."""
    claimed = db.session.execute(
        update(Referral).where(condition).values(**values).execution_options(synchronize_session=False)
    ).rowcount
    return claimed == 1


def _due_reminders(now: datetime) -> list[int]:
    """The ids of open referrals without a change for 10 working days that were not reminded since."""
    statement = select(Referral.id).where(overdue_condition(now), _not_reminded()).order_by(Referral.id)
    return list(db.session.scalars(statement))


def remind_receivers(now: datetime | None = None) -> int:
    """For cron: one content-free reminder to the receiving team of each quiet open referral; returns reminders.

    The claim (reminded_at), the event and the mails commit together, per referral: two runs at once mail once.
    changed_at and version stay: a reminder is no change of the loop, which stays overdue until the team acts."""
    now = now or utcnow()
    reminded = 0
    for referral_id in _due_reminders(now):
        condition = (Referral.id == referral_id) & overdue_condition(now) & _not_reminded()
        if not _claim(condition, {"reminded_at": now}):
            db.session.rollback()
            continue
        referral = db.session.get(Referral, referral_id, populate_existing=True)
        link = external_url("professional.referral", lang="nl", referral_id=referral.id)
        queued = sum(
            send_mail(address, locale, "referral_reminder", link=link, days=REMIND_AFTER_WORKING_DAYS)
            for address, locale in team_addresses(referral.organisation)
        )
        if not queued:  # no address for the team: nothing was sent, so nothing is marked; tried again next run
            db.session.rollback()
            continue
        record_event(referral, None, "system", "reminded", created_at=now)
        db.session.commit()
        reminded += 1
    return reminded


def _asking_condition(now: datetime):
    """Accepted at least 30 days ago, not voided or stopped, never asked, and the resident can still be mailed."""
    active = select(User.id).where(User.is_active_account.is_(True), User.deleted_at.is_(None))
    return (
        Referral.accepted_at.is_not(None)
        & (Referral.accepted_at <= now - timedelta(days=FOLLOW_UP_AFTER_DAYS))
        & Referral.status.in_(ASKED_IN)
        & Referral.follow_up_asked_at.is_(None)
        & Referral.resident_id.in_(active)
    )


def ask_residents(now: datetime | None = None) -> int:
    """For cron: 30 days after acceptance, ask the resident (content-free, in their language) how it goes.

    A resident whose account is inactive or deleted is neither mailed nor marked as asked (the history says only
    what happened); should the account be active again, the next run asks. Returns the residents asked."""
    now = now or utcnow()
    ids = list(db.session.scalars(select(Referral.id).where(_asking_condition(now)).order_by(Referral.id)))
    asked = 0
    for referral_id in ids:
        if not _claim((Referral.id == referral_id) & _asking_condition(now), {"follow_up_asked_at": now}):
            db.session.rollback()
            continue
        referral = db.session.get(Referral, referral_id, populate_existing=True)
        if not notify_resident(referral, "referral_follow_up"):
            db.session.rollback()  # an address that cannot be mailed: left for the next run
            continue
        record_event(referral, None, "system", "follow_up_asked", created_at=now)
        db.session.commit()
        asked += 1
    return asked


def answer_detail(going: str, helps: str, key: str) -> str:
    """The stored codes of an answer: going=<code>;helps=<code>;key=<the form's idempotency key>."""
    return f"going={going};helps={helps};key={key}"


def answer_codes(event: ReferralEvent | None) -> dict[str, str]:
    """The codes of a follow_up event's detail, e.g. {'going': 'yes', 'helps': 'a_little', 'key': '…'}."""
    if event is None or not event.detail:
        return {}
    return dict(part.split("=", 1) for part in event.detail.split(";") if "=" in part)


def answer_with_key(referral: Referral, key: str) -> ReferralEvent | None:
    """The answer this form (idempotency key) stored already, if any."""
    statement = select(ReferralEvent).where(
        ReferralEvent.referral_id == referral.id,
        ReferralEvent.kind == "follow_up",
        ReferralEvent.detail.like(f"%;key={key}"),
    )
    return next((event for event in db.session.scalars(statement) if answer_codes(event).get("key") == key), None)


def record_answer(
    resident: User, referral: Referral, going: str, helps: str, note: str | None, key: str
) -> ReferralEvent:
    """Store the resident's answer (sealed note); the same form twice stores once. Raises ReferralError
    not_allowed, closed, bad_answer or note_too_long. Version and changed_at stay as they are."""
    if referral.resident_id != resident.id:
        raise ReferralError("not_allowed")
    if referral.accepted_at is None or referral.status in ("draft", "entered-in-error"):
        raise ReferralError("closed")
    if going not in GOING or helps not in HELPS or IDEMPOTENCY_KEY.fullmatch(key or "") is None:
        raise ReferralError("bad_answer")
    note = clean_note(note, MAX_ANSWER_NOTE, required=False)
    db.session.scalar(for_change(select(Referral.id).where(Referral.id == referral.id)))  # one answer at a time
    repeat = answer_with_key(referral, key)
    if repeat is not None:
        return repeat
    event = record_event(
        referral, resident, "resident", "follow_up", note=note, detail=answer_detail(going, helps, key)
    )
    db.session.flush()
    return event


def _last_event(referral: Referral, kind: str) -> ReferralEvent | None:
    statement = (
        select(ReferralEvent)
        .where(ReferralEvent.referral_id == referral.id, ReferralEvent.kind == kind)
        .order_by(ReferralEvent.id.desc())
        .limit(1)
    )
    return db.session.scalar(statement)


def latest_answer(referral: Referral) -> ReferralEvent | None:
    """The resident's last answer to the follow-up question, or None."""
    return _last_event(referral, "follow_up")


def latest_answer_in(history: list[ReferralEvent]) -> ReferralEvent | None:
    """The resident's last answer to the follow-up question in a history already loaded (oldest first)."""
    return next((event for event in reversed(history) if event.kind == "follow_up"), None)


def open_question(referral: Referral) -> bool:
    """True when the resident was asked how it goes and has not answered since (the history's order decides)."""
    if referral.follow_up_asked_at is None:
        return False
    answer = latest_answer(referral)
    if answer is None:
        return True
    asked = _last_event(referral, "follow_up_asked")
    return asked is not None and answer.id < asked.id

"""Status changes of a sent referral: by the receiver, the referrer or the resident, with a reason; void, reopen."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Referral, ReferralEvent, User
from portal.models.base import utcnow
from portal.services.referrals.mail import invite_to_health_check
from portal.services.referrals.referrals import (
    MAX_REASON_NOTE,
    ReferralError,
    bump,
    clean_note,
    parties_of,
    record_event,
)
from portal.services.referrals.statuses import (
    NEEDS_REASON,
    REOPENABLE,
    STATUSES,
    WAITS,
    parties_may_move,
    reasons_for,
)

# The order in which a user's parties act when they are on two sides (a team referring to itself).
_PARTY_ORDER = ("receiver", "referrer", "resident")


def _acting_party(user: User, referral: Referral, allowed: frozenset[str]) -> str:
    parties = parties_of(user, referral)
    if not parties:
        raise ReferralError("not_allowed")
    acting = [party for party in _PARTY_ORDER if party in parties and party in allowed]
    if not acting:
        raise ReferralError("not_allowed")
    return acting[0]


def _checked_reason(target: str, reason: str | None, note: str | None, wait: str | None) -> tuple:
    reason = reason or None
    if target in NEEDS_REASON and reason is None:
        raise ReferralError("reason_needed")
    if reason is not None and reason not in reasons_for(target):
        raise ReferralError("bad_reason")
    note = clean_note(note, MAX_REASON_NOTE, required=reason == "other")
    wait = wait or None
    if wait is not None and wait not in WAITS:
        raise ReferralError("bad_wait")
    if reason == "no_capacity" and wait is None:
        raise ReferralError("wait_needed")
    return reason, note, wait if reason == "no_capacity" else None


def _timestamps(referral: Referral, target: str) -> dict:
    now = utcnow()
    values: dict = {}
    if target == "accepted" and referral.accepted_at is None:
        values["accepted_at"] = now
    if target in ("accepted", "in-progress", "rejected") and referral.first_contact_at is None:
        values["first_contact_at"] = now
    if target == "in-progress" and referral.started_at is None:
        values["started_at"] = now
    if target == "completed":
        values["completed_at"] = now
    return values


def change_status(
    user: User,
    referral: Referral,
    target: str,
    version: int,
    reason: str | None = None,
    note: str | None = None,
    wait: str | None = None,
) -> ReferralEvent:
    """Move a sent referral to `target` with a reason where one is needed; stale pages and moves the user's side
    may not make are refused (ReferralError stale, not_allowed, bad_status, reason_needed, bad_reason, ...).
    Completing it invites the resident (content-free mail) to fill in the health check again."""
    if target not in STATUSES or target in ("draft", "entered-in-error"):
        raise ReferralError("bad_status")
    if referral.version != version:
        raise ReferralError("stale")
    party = _acting_party(user, referral, parties_may_move(referral.status, target))
    reason, note, wait = _checked_reason(target, reason, note, wait)
    source = referral.status
    bump(referral, version, status=target, reason=reason, expected_wait=wait, **_timestamps(referral, target))
    event = record_event(
        referral, user, party, "status", from_status=source, to_status=target, reason=reason, note=note, detail=wait
    )
    if target == "completed":
        invite_to_health_check(referral)  # the follow-up: "how are you now?", queued with the change
    return event


def void(user: User, referral: Referral, version: int, note: str | None) -> ReferralEvent:
    """Mark a referral made by mistake as entered-in-error (never deleted), with a note saying why; referrer only."""
    if referral.version != version or referral.status == "entered-in-error":
        raise ReferralError("stale")
    party = _acting_party(user, referral, frozenset({"referrer"}))
    note = clean_note(note, MAX_REASON_NOTE)
    source = referral.status
    bump(referral, version, status="entered-in-error", reason="made_by_mistake")
    return record_event(
        referral,
        user,
        party,
        "status",
        from_status=source,
        to_status="entered-in-error",
        reason="made_by_mistake",
        note=note,
    )


def status_before(referral: Referral) -> str:
    """The status the referral had before it was closed (where reopening takes it back to)."""
    closing = db.session.scalar(
        select(ReferralEvent.from_status)
        .where(
            ReferralEvent.referral_id == referral.id,
            ReferralEvent.kind == "status",
            ReferralEvent.to_status == referral.status,
        )
        .order_by(ReferralEvent.id.desc())
        .limit(1)
    )
    return closing or "requested"


def reopen(user: User, referral: Referral, version: int, note: str | None) -> ReferralEvent:
    """Open a closed referral again (back to the status it had before), with a note; referrer or receiver."""
    if referral.version != version or referral.status not in REOPENABLE:
        raise ReferralError("stale")
    party = _acting_party(user, referral, frozenset({"referrer", "receiver"}))
    note = clean_note(note, MAX_REASON_NOTE)
    source, target = referral.status, status_before(referral)
    bump(referral, version, status=target, reason=None, expected_wait=None, completed_at=None, reminded_at=None)
    return record_event(referral, user, party, "reopened", from_status=source, to_status=target, note=note)

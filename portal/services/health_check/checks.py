"""Storing a resident's checks (once per submission) and reading their history back, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import HealthCheck, User
from portal.models.base import utcnow
from portal.services.health_check.answers import Answers

KEY_LIMIT = 64


@dataclass(frozen=True)
class Entry:
    """One check of the history: its row, its answers, and the change since the check before it."""

    check: HealthCheck
    answers: Answers
    change: dict[str, int | None]


def record(resident: User, answers: Answers, key: str | None = None, taken_at: datetime | None = None) -> HealthCheck:
    """Store a check for `resident`; a repeated submission with the same key returns the stored check."""
    key = (key or "")[:KEY_LIMIT] or None
    if key:
        stored = _by_key(resident, key)
        if stored is not None:
            return stored
    check = HealthCheck(
        resident_id=resident.id, answers=answers.to_json(), idempotency_key=key, taken_at=taken_at or utcnow()
    )
    try:
        with db.session.begin_nested():
            db.session.add(check)
    except IntegrityError:  # the same submission arrived twice at once
        stored = _by_key(resident, key) if key else None
        if stored is None:
            raise
        return stored
    return check


def _by_key(resident: User, key: str) -> HealthCheck | None:
    return db.session.scalar(
        select(HealthCheck).where(HealthCheck.resident_id == resident.id, HealthCheck.idempotency_key == key)
    )


def history(resident_id: int) -> list[Entry]:
    """Every check of the resident, oldest first, each with its change since the one before."""
    rows = db.session.scalars(
        select(HealthCheck).where(HealthCheck.resident_id == resident_id).order_by(HealthCheck.taken_at, HealthCheck.id)
    ).all()
    entries, earlier = [], None
    for row in rows:
        answers = Answers.from_json(row.answers)
        entries.append(Entry(check=row, answers=answers, change=answers.change_from(earlier)))
        earlier = answers
    return entries


def owned_check(resident_id: int, check_id: int) -> HealthCheck | None:
    """The resident's own check with this id, or None (someone else's id reads as unknown)."""
    return db.session.scalar(
        select(HealthCheck).where(HealthCheck.id == check_id, HealthCheck.resident_id == resident_id)
    )

"""A resident's health checks, estimates, shares and reminder in their copy of their data, and gone at erasure."""

from __future__ import annotations

from sqlalchemy import delete, select

from portal.extensions import db
from portal.models import HealthCheck, HealthCheckEstimate, HealthCheckReminder, HealthCheckShare, User
from portal.services.health_check import checks, estimates, sharing


def checks_copy(user: User, stamp) -> list[dict]:
    """Every check of the resident (date, mark, domains, texts, talk marks) with the estimates made beside it."""
    entries = checks.history(user.id)
    beside = estimates.estimates_for(entry.check.id for entry in entries)
    return [
        {
            "taken_at": stamp(entry.check.taken_at),
            "mark": entry.answers.mark,
            "domains": dict(entry.answers.domains),
            "texts": dict(entry.answers.texts),
            "talk_about": list(entry.answers.talk),
            "estimates": [
                {
                    "recorded_at": stamp(estimate.recorded_at),
                    "organisation": estimate.organisation,
                    "professional": estimate.professional,
                    "mark": estimate.mark,
                    "domains": estimate.domains,
                }
                for estimate in beside.get(entry.check.id, [])
            ],
        }
        for entry in entries
    ]


def shares_copy(user: User, stamp) -> list[dict]:
    """Every choice to share the checks with an organisation: granted, and withdrawn when it was."""
    return [
        {
            "organisation": row.organisation.name,
            "granted_at": stamp(row.granted_at),
            "withdrawn_at": stamp(row.withdrawn_at) if row.withdrawn_at else None,
        }
        for row in reversed(sharing.history(user, limit=10_000))
    ]


def reminder_copy(user: User, stamp) -> dict | None:
    """The reminder the resident chose (every how many weeks, next and last mail), or None."""
    reminder = db.session.get(HealthCheckReminder, user.id)
    if reminder is None:
        return None
    return {
        "every_weeks": reminder.every_weeks,
        "next_at": stamp(reminder.next_at),
        "sent_at": stamp(reminder.sent_at) if reminder.sent_at else None,
    }


def health_check_copy(user: User, stamp) -> dict:
    """The health check section of the data copy."""
    return {
        "checks": checks_copy(user, stamp),
        "shared_with": shares_copy(user, stamp),
        "reminder": reminder_copy(user, stamp),
    }


def erase(user: User) -> None:
    """Delete the resident's checks, the estimates beside them, their shares and their reminder."""
    ids = select(HealthCheck.id).where(HealthCheck.resident_id == user.id).scalar_subquery()
    db.session.execute(delete(HealthCheckEstimate).where(HealthCheckEstimate.check_id.in_(ids)))
    db.session.execute(delete(HealthCheck).where(HealthCheck.resident_id == user.id))
    db.session.execute(delete(HealthCheckShare).where(HealthCheckShare.resident_id == user.id))
    db.session.execute(delete(HealthCheckReminder).where(HealthCheckReminder.resident_id == user.id))

"""A copy of all of a person's data (AVG right of access), one small function per section."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import CalendarFeed, Consent, LoginSession, User
from portal.services import audit
from portal.services.booking import queries


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _account(user: User) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "organisation": user.organisation.name if user.organisation else None,
        "language": user.locale,
        "created_at": _iso(user.created_at),
        "email_confirmed_at": _iso(user.email_confirmed_at),
        "password_changed_at": _iso(user.password_changed_at),
        "last_login_at": _iso(user.last_login_at),
        "second_factor": user.second_factor,
    }


def _logins(user: User) -> list[dict]:
    return [
        {
            "started_at": _iso(login.created_at),
            "last_seen_at": _iso(login.last_seen_at),
            "ended_at": _iso(login.ended_at),
            "end_reason": login.end_reason,
            "device": login.device,
        }
        for login in db.session.scalars(
            select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.created_at)
        )
    ]


def _consents(user: User) -> list[dict]:
    return [
        {
            "purpose": consent.purpose,
            "version": consent.version,
            "given_at": _iso(consent.given_at),
            "withdrawn_at": _iso(consent.withdrawn_at),
        }
        for consent in db.session.scalars(select(Consent).where(Consent.user_id == user.id).order_by(Consent.given_at))
    ]


def _bookings(user: User) -> list[dict]:
    return [
        {
            "activity": item.session.programme.text(user.locale).title,
            "starts_at": _iso(item.session.starts_at),
            "ends_at": _iso(item.session.ends_at),
            "status": item.status,
            "booked_at": _iso(item.created_at),
            "cancelled_at": _iso(item.cancelled_at),
            "cancelled_by": item.cancelled_by,
        }
        for item in queries.user_bookings(user)
    ]


def _calendar_feed(user: User) -> str | None:
    feed = db.session.get(CalendarFeed, user.id)
    return _iso(feed.created_at) if feed else None


def _viewed_by(user: User) -> list[dict]:
    return [
        {
            "when": _iso(event.occurred_at),
            "who": event.actor_name,
            "role": event.actor_role,
            "organisation": event.actor_organisation_name,
            "action": event.action,
            "what": event.object_type,
        }
        for event in audit.views_of(user, limit=10_000)
    ]


def export_data(user: User) -> dict:
    """Everything the portal holds about `user`, as plain JSON-ready data."""
    return {
        "account": _account(user),
        "logins": _logins(user),
        "consents": _consents(user),
        "bookings": _bookings(user),
        "calendar_feed": _calendar_feed(user),
        "viewed_by": _viewed_by(user),
    }

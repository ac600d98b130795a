"""A copy of all of a person's data (AVG right of access), one small function per section."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import CalendarFeed, Consent, LoginSession, User
from portal.services import audit
from portal.services.booking import queries
from portal.services.health_check import personal_data as health_check_data
from portal.services.messaging import personal_data as messaging_data
from portal.services.referrals import personal_data as referral_data


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _account(user: User, stamp=_iso) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "organisation": user.organisation.name if user.organisation else None,
        "language": user.locale,
        "created_at": stamp(user.created_at),
        "email_confirmed_at": stamp(user.email_confirmed_at),
        "password_changed_at": stamp(user.password_changed_at),
        "last_login_at": stamp(user.last_login_at),
        "second_factor": user.second_factor,
    }


def _logins(user: User, stamp=_iso) -> list[dict]:
    return [
        {
            "started_at": stamp(login.created_at),
            "last_seen_at": stamp(login.last_seen_at),
            "ended_at": stamp(login.ended_at),
            "end_reason": login.end_reason,
            "device": login.device,
        }
        for login in db.session.scalars(
            select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.created_at)
        )
    ]


def _consents(user: User, stamp=_iso) -> list[dict]:
    return [
        {
            "purpose": consent.purpose,
            "version": consent.version,
            "given_at": stamp(consent.given_at),
            "withdrawn_at": stamp(consent.withdrawn_at),
        }
        for consent in db.session.scalars(select(Consent).where(Consent.user_id == user.id).order_by(Consent.given_at))
    ]


def _bookings(user: User, stamp=_iso) -> list[dict]:
    return [
        {
            "activity": item.session.programme.text(user.locale).title,
            "starts_at": stamp(item.session.starts_at),
            "ends_at": stamp(item.session.ends_at),
            "status": item.status,
            "booked_at": stamp(item.created_at),
            "cancelled_at": stamp(item.cancelled_at),
            "cancelled_by": item.cancelled_by,
        }
        for item in queries.user_bookings(user)
    ]


def _calendar_feed(user: User, stamp=_iso) -> str | None:
    feed = db.session.get(CalendarFeed, user.id)
    return stamp(feed.created_at) if feed else None


def _viewed_by(user: User, stamp=_iso) -> list[dict]:
    return [
        {
            "when": stamp(event.occurred_at),
            "who": event.actor_name,
            "role": event.actor_role,
            "organisation": event.actor_organisation_name,
            "action": event.action,
            "what": event.object_type,
        }
        for event in audit.views_of(user, limit=10_000)
    ]


def _keep(moment):
    return moment


def export_data(user: User, readable: bool = False) -> dict:
    """Everything the portal holds about `user`: JSON-ready (ISO times, codes), or with datetimes for the page."""
    stamp = _keep if readable else _iso
    return {
        "account": _account(user, stamp),
        "logins": _logins(user, stamp),
        "consents": _consents(user, stamp),
        "bookings": _bookings(user, stamp),
        "calendar_feed": _calendar_feed(user, stamp),
        "care_team": messaging_data.care_team_copy(user, stamp),
        "consult_consents": messaging_data.consult_consents_copy(user, stamp),
        "threads": messaging_data.threads_copy(user, stamp),
        "referrals": referral_data.referrals_copy(user, stamp),
        "health_check": health_check_data.health_check_copy(user, stamp),
        "viewed_by": _viewed_by(user, stamp),
    }

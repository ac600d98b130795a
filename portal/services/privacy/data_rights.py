"""A person's rights under the AVG: a copy of all their data, and erasure of their account."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from portal.extensions import db
from portal.models import (
    AccountToken,
    Booking,
    CalendarFeed,
    Consent,
    Invitation,
    LoginSession,
    RecoveryCode,
    User,
)
from portal.models.base import utcnow
from portal.services import audit
from portal.services.booking import places, queries

ERASED_NAME = ""


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def export_data(user: User) -> dict:
    """Everything the portal holds about `user`, as plain JSON-ready data."""
    return {
        "account": {
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
        },
        "logins": [
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
        ],
        "consents": [
            {
                "purpose": consent.purpose,
                "version": consent.version,
                "given_at": _iso(consent.given_at),
                "withdrawn_at": _iso(consent.withdrawn_at),
            }
            for consent in db.session.scalars(
                select(Consent).where(Consent.user_id == user.id).order_by(Consent.given_at)
            )
        ],
        "bookings": [
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
        ],
        "calendar_feed": _iso(feed.created_at) if (feed := db.session.get(CalendarFeed, user.id)) else None,
        "viewed_by": [
            {
                "when": _iso(event.occurred_at),
                "who": event.actor_name,
                "role": event.actor_role,
                "organisation": event.actor_organisation_name,
                "action": event.action,
                "what": event.object_type,
            }
            for event in audit.views_of(user, limit=10_000)
        ],
    }


def erase_account(user: User) -> list[Booking]:
    """Erase or anonymise the account's personal data in every table; audit records stay (kept five years).

    The row itself stays, without name, address or password, so the audit log's ids still point somewhere.
    Booked places are given up first; returns the waiting-list bookings that got them (to tell them)."""
    old_email = user.email
    promoted = places.withdraw_all(user)
    for model in (LoginSession, AccountToken, RecoveryCode, Consent, Booking, CalendarFeed):
        db.session.execute(delete(model).where(model.user_id == user.id))
    erased_email = f"erased-{user.id}@erased.invalid"
    db.session.execute(
        update(Invitation)
        .where(Invitation.email == old_email)
        .values(email=erased_email)
        .execution_options(synchronize_session=False)
    )
    user.email = erased_email
    user.display_name = ERASED_NAME
    user.password_hash = "!"  # noqa: S105  (matches no password)
    user.totp_secret = None
    user.totp_last_counter = None
    user.second_factor = None
    user.email_confirmed_at = None
    user.last_login_at = None
    user.password_changed_at = None
    user.is_active_account = False
    user.deleted_at = utcnow()
    return promoted

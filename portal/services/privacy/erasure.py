"""Erasing an account (AVG right to erasure): personal data gone from every table, the audit log kept."""

from __future__ import annotations

from sqlalchemy import delete, func, update

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
from portal.models.mail import OutboxMail
from portal.services.accounts import login_limits
from portal.services.booking import places
from portal.services.health_check import personal_data as health_check_data
from portal.services.messaging import personal_data as messaging_data
from portal.services.referrals import personal_data as referral_data

ERASED_NAME = ""


def erase_account(user: User) -> list[Booking]:
    """Erase or anonymise the account's personal data; returns the waiting-list bookings that got its places.

    Referrals, threads, messages, attachments and health checks (with estimates, shares, reminder) go too: the
    portal is not the medical record (see docs/security.md)."""
    # Audit records stay (kept five years). The user row stays too, without name, address or password,
    # so the audit log's ids still point somewhere. Booked places are given up first, to tell who got them.
    old_email = user.email
    promoted = places.withdraw_all(user)
    login_limits.forget_account(old_email)
    referral_data.erase(user)  # first: a referral points to its thread and its booking
    health_check_data.erase(user)
    messaging_data.erase(user, old_email)
    for model in (LoginSession, AccountToken, RecoveryCode, Consent, Booking, CalendarFeed):
        db.session.execute(delete(model).where(model.user_id == user.id))
    # Mails to the old address hold the name and the address; the account is gone, so they go too.
    db.session.execute(
        delete(OutboxMail)
        .where(func.lower(OutboxMail.recipient) == old_email.lower())
        .execution_options(synchronize_session=False)
    )
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

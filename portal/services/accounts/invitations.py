"""Invitations of staff: a signed link that works once and creates a staff account in an organisation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.config import LANGUAGES
from portal.extensions import db
from portal.models import Invitation, Organisation, User
from portal.models.base import utcnow
from portal.services import tokens
from portal.services.accounts.passwords import hash_password
from portal.services.accounts.registration import AccountError
from portal.services.accounts.users import find_user_by_email, normalise_email

INVITE_LIFETIME = timedelta(days=7)
INVITE_ROLES = ("professional", "broker", "admin")


def _invitation_row(secret_key: str, token: str) -> tuple[Invitation, str] | None:
    max_age = int(INVITE_LIFETIME.total_seconds())
    return tokens.open_link(Invitation, secret_key, "invite", token, max_age, revoked_at=None)


def invite(secret_key: str, inviter: User, email: str, role: str, organisation: Organisation) -> tuple[Invitation, str]:
    """Invite a staff member of an organisation; returns the invitation and its link token."""
    if role not in INVITE_ROLES:
        raise AccountError(f"cannot invite a {role!r}")
    now = utcnow()
    nonce = tokens.new_secret()
    invitation = Invitation(
        email=normalise_email(email),
        role=role,
        organisation=organisation,
        invited_by_id=inviter.id,
        nonce_hash=tokens.digest(nonce),
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, tokens.sign(secret_key, "invite", invitation.id, nonce)


def open_invitation(secret_key: str, token: str) -> Invitation | None:
    """The invitation a link names, if it is genuine, unused, not revoked and not expired."""
    found = _invitation_row(secret_key, token)
    return found[0] if found else None


def accept_invitation(secret_key: str, token: str, display_name: str, password: str, locale: str) -> User | None:
    """Create an invitation's staff account, once; None for a bad link, AccountError for a taken address."""
    found = _invitation_row(secret_key, token)
    if found is None:
        return None
    invitation, nonce = found
    if find_user_by_email(invitation.email) is not None:
        raise AccountError("the invited address has an account already")
    if not tokens.claim(Invitation, invitation.id, nonce, revoked_at=None):
        return None
    now = utcnow()
    user = User(
        email=invitation.email,
        password_hash=hash_password(password),
        display_name=display_name.strip(),
        role=invitation.role,
        organisation_id=invitation.organisation_id,
        locale=locale if locale in LANGUAGES else "nl",
        email_confirmed_at=now,
        password_changed_at=now,
    )
    db.session.add(user)
    db.session.flush()
    invitation.accepted_user_id = user.id
    return user


def revoke_invitation(invitation: Invitation) -> None:
    """Make an unused invitation link stop working."""
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()


def pending_invitations() -> list[Invitation]:
    """Invitations not yet used, revoked or expired, newest first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.used_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
            .order_by(Invitation.created_at.desc())
        )
    )

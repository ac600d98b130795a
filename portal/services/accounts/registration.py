"""Residents' accounts: registration, email confirmation, passwords and the language setting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update

from portal.config import LANGUAGES
from portal.extensions import db
from portal.models import AccountToken, LoginSession, User
from portal.models.base import utcnow
from portal.services import tokens
from portal.services.accounts import login_sessions
from portal.services.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.services.accounts.users import find_user_by_email, normalise_email

CONFIRM_LIFETIME = timedelta(hours=48)
RESET_LIFETIME = timedelta(hours=1)
LINK_LIFETIMES = {"confirm_email": CONFIRM_LIFETIME, "reset_password": RESET_LIFETIME}
_DUMMY_HASH = hash_password("a password nobody has, to spend the same time")


class AccountError(ValueError):
    """Raised when an account action cannot be done as asked; the message is for the log, not the page."""


@dataclass(frozen=True)
class Registration:
    """What registering did: a new account, or the account that already had this address."""

    user: User | None
    existing: User | None


def authenticate(email: str, password: str) -> User | None:
    """The active account with this email and password, or None; spends the same time either way."""
    # The password is rehashed when the Argon2 parameters changed since it was stored.
    user = find_user_by_email(email) if email else None
    if user is None or not user.is_active or user.deleted_at is not None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def register_resident(email: str, password: str, display_name: str, locale: str) -> Registration:
    """Create an unconfirmed resident account, unless the address has one already."""
    email = normalise_email(email)
    existing = find_user_by_email(email)
    if existing is not None:
        return Registration(user=None, existing=existing)
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name.strip(),
        role="resident",
        locale=locale if locale in LANGUAGES else "nl",
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    return Registration(user=user, existing=None)


def issue_link(secret_key: str, user: User, purpose: str) -> str:
    """A new signed one-time link token for `purpose`; earlier unused links of that purpose stop working."""
    lifetime = LINK_LIFETIMES[purpose]
    now = utcnow()
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    nonce = tokens.new_secret()
    row = AccountToken(
        purpose=purpose, user_id=user.id, nonce_hash=tokens.digest(nonce), created_at=now, expires_at=now + lifetime
    )
    db.session.add(row)
    db.session.flush()
    return tokens.sign(secret_key, purpose, row.id, nonce)


def _link_row(secret_key: str, purpose: str, token: str) -> tuple[AccountToken, str] | None:
    max_age = int(LINK_LIFETIMES[purpose].total_seconds())
    return tokens.open_link(AccountToken, secret_key, purpose, token, max_age, purpose=purpose)


def link_is_usable(secret_key: str, purpose: str, token: str) -> bool:
    """True when the link is genuine, unused and not expired (nothing is used up)."""
    return _link_row(secret_key, purpose, token) is not None


def confirm_email(secret_key: str, token: str) -> User | None:
    """Confirm the address of the link's account, once; None for a bad, used or expired link."""
    found = _link_row(secret_key, "confirm_email", token)
    if found is None or not tokens.claim(AccountToken, found[0].id, found[1], purpose="confirm_email"):
        return None
    user = db.session.get(User, found[0].user_id)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


def set_password(user: User, password: str, keep: LoginSession | None = None) -> int:
    """Store a new password and end every login of the account except `keep`; returns how many ended."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    return login_sessions.end_all(user, "password_changed", keep=keep)


def reset_password(secret_key: str, token: str, password: str) -> User | None:
    """Set a new password through a reset link, once; ends all logins. None for a bad, used or expired link."""
    found = _link_row(secret_key, "reset_password", token)
    if found is None or not tokens.claim(AccountToken, found[0].id, found[1], purpose="reset_password"):
        return None
    user = db.session.get(User, found[0].user_id)
    if user is None or not user.is_active:
        return None
    set_password(user, password)
    if user.email_confirmed_at is None:  # the link reached their mailbox, so the address works
        user.email_confirmed_at = utcnow()
    return user


def change_password(user: User, current: str, new: str, keep: LoginSession) -> bool:
    """Change the password when `current` is right; other logins end, this one stays."""
    if not verify_password(user.password_hash, current):
        return False
    set_password(user, new, keep=keep)
    return True


def set_language(user: User, locale: str) -> None:
    """Save the language the account reads pages and mails in."""
    if locale not in LANGUAGES:
        raise AccountError(f"unknown language {locale!r}")
    user.locale = locale

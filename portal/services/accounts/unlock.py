"""The unlock link and the trusted-device cookie: the owner of a busy account still gets in from their browser.

Both are signed, name the account, and are bound to its current password hash: a new password makes
every earlier link and cookie worthless. Nothing is stored."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.models import User
from portal.models.base import MAX_ID
from portal.services import tokens
from portal.services.accounts.users import normalise_email

LINK_LIFETIME = timedelta(hours=1)
DEVICE_LIFETIME = timedelta(days=30)
DEVICE_COOKIE = "wp_device"


def _binding(user: User) -> str:
    return tokens.digest(f"{user.id}:{user.password_hash or ''}")[:24]


def _user(secret_key: str, purpose: str, token: str | None, lifetime: timedelta) -> User | None:
    parsed = tokens.unsign(secret_key, purpose, token or "", int(lifetime.total_seconds()))
    if parsed is None or not 0 < parsed[0] <= MAX_ID:
        return None
    user = db.session.get(User, parsed[0])
    if user is None or not user.is_active or not tokens.same(parsed[1], _binding(user)):
        return None
    return user


def link_token(secret_key: str, user: User) -> str:
    """The token of the unlock link mailed to the account."""
    return tokens.sign(secret_key, "unlock", user.id, _binding(user))


def user_of_link(secret_key: str, token: str) -> User | None:
    """The account an unlock link belongs to, when it is genuine and less than an hour old."""
    return _user(secret_key, "unlock", token, LINK_LIFETIME)


def device_cookie(secret_key: str, user: User) -> str:
    """The cookie value that marks this browser as the owner's for 30 days."""
    return tokens.sign(secret_key, "trusted-device", user.id, _binding(user))


def is_trusted_device(secret_key: str, cookie: str | None, email: str) -> bool:
    """Whether the cookie marks this browser as trusted by the account `email` names."""
    user = _user(secret_key, "trusted-device", cookie, DEVICE_LIFETIME)
    return user is not None and user.email == normalise_email(email)

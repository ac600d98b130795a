"""Creating accounts from the command line and the demo data."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.config import LANGUAGES
from portal.extensions import db
from portal.models import Organisation, User
from portal.models.user import ROLES, STAFF_ROLES
from portal.services.passwords import hash_password

MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class UserError(ValueError):
    """Raised when an account cannot be created as asked."""


def normalise_email(email: str) -> str:
    """Trim and lowercase an email address."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The account with this email address, or None."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    email: str,
    password: str,
    role: str,
    *,
    display_name: str | None = None,
    organisation_slug: str | None = None,
    locale: str = "nl",
    is_demo: bool = False,
) -> User:
    """Add an account and flush it; raise UserError for bad input or a taken email."""
    email = normalise_email(email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise UserError(f"not a valid email address: {email!r}")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if locale not in LANGUAGES:
        raise UserError(f"unknown language {locale!r}")
    organisation = None
    if organisation_slug:
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == organisation_slug))
        if organisation is None:
            raise UserError(f"no organisation with slug {organisation_slug!r}")
    if role in STAFF_ROLES - {"admin"} and organisation is None:
        raise UserError(f"a {role} account needs --organisation")
    if find_user_by_email(email) is not None:
        raise UserError(f"an account with {email} exists already")
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=(display_name or email.split("@")[0])[:120],
        role=role,
        organisation=organisation,
        locale=locale,
        is_demo=is_demo,
    )
    db.session.add(user)
    db.session.flush()
    return user

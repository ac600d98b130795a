"""Finding an account by its email address, and creating accounts from the command line and the demo data."""

from __future__ import annotations

import re

from flask_babel import force_locale
from sqlalchemy import func, select

from portal.config import LANGUAGES
from portal.extensions import db
from portal.models import Organisation, User
from portal.models.base import utcnow
from portal.models.user import ROLES, STAFF_ROLES
from portal.services.accounts.password_policy import (
    MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH,
)  # re-exported for callers
from portal.services.accounts.password_policy import password_problems
from portal.services.accounts.passwords import hash_password

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


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
    """Add an account (email counted as confirmed) and flush it; raise UserError for bad input or a taken email."""
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise UserError(f"not a valid email address: {email!r}")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    problems = password_problems(password, email=email, display_name=display_name)
    if problems:
        with force_locale("en"):  # like the other UserError messages: English, for the command line
            raise UserError(str(problems[0]))
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
        email_confirmed_at=utcnow(),  # made by an administrator, who vouches for the address
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    return user

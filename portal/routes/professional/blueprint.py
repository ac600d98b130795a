"""The professional blueprint, and what its pages share: colleagues to choose and the audit of what they read."""

from __future__ import annotations

from functools import cache

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import bindparam, select

from portal.auth_session import audit_context
from portal.extensions import db
from portal.models import User
from portal.services import audit
from portal.services.messaging.care_relations import CARE_ROLES

bp = Blueprint("professional", __name__)


@cache
def _colleagues_statement():
    """The organisation's (`organisation_id`) other (`user_id`) active care staff by name: built once, as every
    thread page lists them."""
    return (
        select(User)
        .where(
            User.organisation_id == bindparam("organisation_id"),
            User.role.in_(CARE_ROLES),
            User.id != bindparam("user_id"),
            User.is_active_account.is_(True),
            User.deleted_at.is_(None),
        )
        .order_by(User.display_name)
    )


def colleagues() -> list[User]:
    """The other active professionals and beweegmakelaars of the current user's organisation, by name."""
    values = {"organisation_id": current_user.organisation_id, "user_id": current_user.id}
    return list(db.session.scalars(_colleagues_statement(), values))


def audit_read(object_type: str, object_id: int, resident_id: int, details: str = "") -> None:
    """Log that the current professional read a resident's personal data (shown on the resident's page)."""
    audit.record(
        current_user,
        "read",
        object_type,
        context=audit_context(),
        object_id=object_id,
        subject=resident_id,
        details=details,
    )

"""The professional blueprint, and what its pages share: colleagues to choose and the audit of what they read."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import select

from portal.auth_session import audit_context
from portal.extensions import db
from portal.models import User
from portal.services import audit
from portal.services.messaging.care_relations import CARE_ROLES

bp = Blueprint("professional", __name__)


def colleagues() -> list[User]:
    """The other active professionals and beweegmakelaars of the current user's organisation, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == current_user.organisation_id,
                User.role.in_(CARE_ROLES),
                User.id != current_user.id,
                User.is_active_account.is_(True),
                User.deleted_at.is_(None),
            )
            .order_by(User.display_name)
        )
    )


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

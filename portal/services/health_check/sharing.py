"""A resident's choice, per organisation of their care team, to let it see their checks; withdrawn, never deleted."""

from __future__ import annotations

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import CareRelation, HealthCheckShare, Organisation, User
from portal.models.base import utcnow
from portal.services.messaging import care_relations


class SharingError(Exception):
    """A share that cannot be made; `code` says why (the route puts it in words)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def active_share(resident_id: int, organisation_id: int) -> HealthCheckShare | None:
    """The resident's share with this organisation that is not withdrawn, or None."""
    return db.session.scalar(
        select(HealthCheckShare).where(
            HealthCheckShare.resident_id == resident_id,
            HealthCheckShare.organisation_id == organisation_id,
            HealthCheckShare.withdrawn_at.is_(None),
        )
    )


def share(resident: User, organisation: Organisation) -> HealthCheckShare:
    """Let an organisation of the resident's care team see their checks; sharing twice keeps one active row.

    Raises SharingError('not_in_team') when the organisation has no active care relation with the resident."""
    if resident.role != "resident" or care_relations.active_relation(resident.id, organisation.id) is None:
        raise SharingError("not_in_team")
    existing = active_share(resident.id, organisation.id)
    if existing is not None:
        return existing
    row = HealthCheckShare(resident_id=resident.id, organisation_id=organisation.id, granted_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # the same choice arrived twice at once: the unique active index kept one
        existing = active_share(resident.id, organisation.id)
        if existing is None:
            raise
        return existing
    return row


def withdraw(resident: User, organisation_id: int) -> HealthCheckShare | None:
    """Stop sharing with an organisation: the active row gets withdrawn_at (kept as history); None when none was."""
    row = active_share(resident.id, organisation_id)
    if row is None:
        return None
    row.withdrawn_at = utcnow()
    db.session.flush()
    return row


def relation_ended(relation: CareRelation) -> int:
    """When a care relation ends its share is withdrawn too: a later relation does not revive an old choice."""
    if relation.resident_id is None:
        return 0
    return db.session.execute(
        update(HealthCheckShare)
        .where(
            HealthCheckShare.resident_id == relation.resident_id,
            HealthCheckShare.organisation_id == relation.organisation_id,
            HealthCheckShare.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


def _in_force(resident_id: int):
    """Active shares of the resident whose organisation still has an active care relation with them."""
    return (
        HealthCheckShare.resident_id == resident_id,
        HealthCheckShare.withdrawn_at.is_(None),
        exists().where(
            CareRelation.resident_id == resident_id,
            CareRelation.organisation_id == HealthCheckShare.organisation_id,
            CareRelation.status == "active",
        ),
    )


def shared_organisations(resident: User) -> list[Organisation]:
    """The organisations that see the resident's checks now (active share and active care relation), by name."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(HealthCheckShare, HealthCheckShare.organisation_id == Organisation.id)
            .where(*_in_force(resident.id))
            .order_by(Organisation.name)
        )
    )


def history(resident: User, limit: int = 200) -> list[HealthCheckShare]:
    """Every share the resident gave, also withdrawn ones, newest first (for their page and their data copy)."""
    return list(
        db.session.scalars(
            select(HealthCheckShare)
            .where(HealthCheckShare.resident_id == resident.id)
            .order_by(HealthCheckShare.granted_at.desc(), HealthCheckShare.id.desc())
            .limit(limit)
        )
    )


def may_view(staff_user: User | None, resident_id: int) -> bool:
    """True when the staff user's organisation has an active care relation with the resident and an active share."""
    if not care_relations.is_care_professional(staff_user):
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    HealthCheckShare.organisation_id == staff_user.organisation_id,
                    *_in_force(resident_id),
                )
            )
        )
    )

"""Care relations: invitations by code or mail, a resident's request, confirmation, ending; the one key to access."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import CareRelation, InvolvementConsent, Organisation, User
from portal.models.base import utcnow
from portal.services.tokens import digest

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
CODE_LENGTH = 10
CODE_DAYS = 14
CARE_ROLES = frozenset({"professional", "broker"})


class CareError(Exception):
    """A care relation change that cannot be made; `code` says why (the route puts it in words)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def normalise_code(code: str) -> str:
    """The code as stored: capitals, without spaces or dashes, O read as 0 never happens (not in the alphabet)."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:40]


def format_code(code: str) -> str:
    """The code in groups of five, easy to read out: ABCDE-FGHJK."""
    return f"{code[:5]}-{code[5:]}"


def is_care_professional(user: User | None) -> bool:
    """Professionals and beweegmakelaars work in care teams; coordinators manage, they do not."""
    return user is not None and user.role in CARE_ROLES and user.organisation_id is not None


def invite(professional: User, email: str | None = None) -> tuple[CareRelation, str]:
    """A new invitation of the professional's organisation; returns it and its code (shown once, kept hashed)."""
    if not is_care_professional(professional):
        raise CareError("not_allowed")
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    relation = CareRelation(
        organisation_id=professional.organisation_id,
        status="invited",
        started_by="professional",
        invited_by_id=professional.id,
        code_hash=digest(code),
        invited_email=email.strip().lower() if email else None,
        expires_at=utcnow() + timedelta(days=CODE_DAYS),
    )
    db.session.add(relation)
    db.session.flush()
    return relation, code


def find_invitation(code: str) -> CareRelation | None:
    """The open, unexpired invitation with this code, or None."""
    clean = normalise_code(code)
    if len(clean) != CODE_LENGTH:
        return None
    relation = db.session.scalar(select(CareRelation).where(CareRelation.code_hash == digest(clean)))
    if relation is None or relation.status != "invited" or relation.expires_at < utcnow():
        return None
    return relation


def accept_invitation(resident: User, code: str) -> CareRelation:
    """The resident takes up an invitation: the relation is active. Raises CareError bad_code or already."""
    relation = find_invitation(code)
    if relation is None or resident.role != "resident":
        raise CareError("bad_code")
    if active_relation(resident.id, relation.organisation_id) is not None:
        raise CareError("already")
    now = utcnow()
    try:
        taken = db.session.execute(
            update(CareRelation)
            .where(CareRelation.id == relation.id, CareRelation.status == "invited")
            .values(status="active", resident_id=resident.id, active_since=now, code_hash=None)
            .execution_options(synchronize_session=False)
        ).rowcount
    except IntegrityError:
        db.session.rollback()
        raise CareError("already") from None
    if taken != 1:
        raise CareError("bad_code")
    db.session.refresh(relation)
    return relation


def ask_to_join(resident: User, organisation: Organisation) -> CareRelation:
    """A resident asks an organisation to take them into its care; someone there confirms. Raises CareError."""
    if resident.role != "resident":
        raise CareError("not_allowed")
    if open_relation(resident.id, organisation.id) is not None:
        raise CareError("already")
    relation = CareRelation(
        resident_id=resident.id, organisation_id=organisation.id, status="requested", started_by="resident"
    )
    db.session.add(relation)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise CareError("already") from None
    return relation


def answer_request(professional: User, relation: CareRelation, accept: bool) -> CareRelation:
    """Confirm or decline a resident's request to the professional's organisation; a stale answer is refused."""
    if not may_manage(professional, relation) or relation.status != "requested":
        raise CareError("stale")
    values = {"confirmed_by_id": professional.id}
    values |= {"status": "active", "active_since": utcnow()} if accept else {"status": "declined", "ended_at": utcnow()}
    changed = db.session.execute(
        update(CareRelation)
        .where(CareRelation.id == relation.id, CareRelation.status == "requested")
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise CareError("stale")
    db.session.refresh(relation)
    return relation


def end(user: User, relation: CareRelation) -> CareRelation:
    """End (or withdraw) a relation: by its resident or by someone of its organisation."""
    if relation.status not in ("invited", "requested", "active"):
        raise CareError("stale")
    side = "resident" if user.role == "resident" else "professional"
    if side == "resident" and relation.resident_id != user.id:
        raise CareError("not_allowed")
    if side == "professional" and not may_manage(user, relation):
        raise CareError("not_allowed")
    relation.status = "ended"
    relation.ended_at = utcnow()
    relation.ended_by = side
    relation.code_hash = None
    db.session.flush()
    from portal.services.health_check import sharing  # here: sharing itself reads care relations

    sharing.relation_ended(relation)  # the team no longer sees the resident's health checks
    return relation


def may_manage(user: User, relation: CareRelation | None) -> bool:
    """Professionals of the relation's organisation answer requests and end relations."""
    return relation is not None and is_care_professional(user) and user.organisation_id == relation.organisation_id


def open_relation(resident_id: int, organisation_id: int) -> CareRelation | None:
    """The requested or active relation between a resident and an organisation, or None."""
    return db.session.scalar(
        select(CareRelation).where(
            CareRelation.resident_id == resident_id,
            CareRelation.organisation_id == organisation_id,
            CareRelation.status.in_(("requested", "active")),
        )
    )


def active_relation(resident_id: int, organisation_id: int | None) -> CareRelation | None:
    """The active relation between a resident and an organisation, or None."""
    if organisation_id is None:
        return None
    relation = open_relation(resident_id, organisation_id)
    return relation if relation is not None and relation.status == "active" else None


@cache
def _in_care_statement():
    """Whether the resident (`resident_id`) is in the organisation's (`organisation_id`) care: built once, as every
    thread page asks it."""
    return select(
        exists().where(
            CareRelation.resident_id == bindparam("resident_id"),
            CareRelation.organisation_id == bindparam("organisation_id"),
            CareRelation.status == "active",
        )
    )


def in_care_exists(resident_id, organisation_id):
    """A correlated EXISTS: the row's resident (`resident_id`, a column) is in the organisation's active care.

    Lists filter on it row by row, so the planner walks the list's own index in the page's order and stops after one
    page; an IN over the team's residents made SQLite start from all their rows and sort them."""
    return (
        select(CareRelation.id)
        .where(
            CareRelation.resident_id == resident_id,
            CareRelation.organisation_id == organisation_id,
            CareRelation.status == "active",
        )
        .exists()
    )


def in_care_of(professional: User, resident_id: int) -> bool:
    """True when the professional's organisation has an active care relation with the resident."""
    if not is_care_professional(professional):
        return False
    values = {"resident_id": resident_id, "organisation_id": professional.organisation_id}
    return bool(db.session.scalar(_in_care_statement(), values))


def consent_for(resident_id: int, organisation_id: int) -> InvolvementConsent | None:
    """The resident's consent in force for this organisation being involved, or None."""
    return db.session.scalar(
        select(InvolvementConsent).where(
            InvolvementConsent.resident_id == resident_id,
            InvolvementConsent.organisation_id == organisation_id,
            InvolvementConsent.withdrawn_at.is_(None),
        )
    )


def relations_of(resident: User) -> list[CareRelation]:
    """Every relation of a resident, open ones first, newest first."""
    return list(
        db.session.scalars(
            select(CareRelation)
            .where(CareRelation.resident_id == resident.id)
            .order_by(CareRelation.status.in_(("active", "requested")).desc(), CareRelation.created_at.desc())
        )
    )


def team_organisations(resident: User) -> list[Organisation]:
    """The organisations the resident may write to: those with an active relation."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(CareRelation, CareRelation.organisation_id == Organisation.id)
            .where(CareRelation.resident_id == resident.id, CareRelation.status == "active")
            .order_by(Organisation.name)
        )
    )


def residents_of(organisation_id: int, name: str = "", limit: int = 100) -> list[CareRelation]:
    """The organisation's active relations, by resident name; `name` narrows the list (case-insensitive)."""
    statement = (
        select(CareRelation)
        .join(User, User.id == CareRelation.resident_id)
        .where(CareRelation.organisation_id == organisation_id, CareRelation.status == "active")
    )
    if name.strip():
        statement = statement.where(func.lower(User.display_name).contains(name.strip().lower(), autoescape=True))
    return list(db.session.scalars(statement.order_by(func.lower(User.display_name)).limit(limit)))


def pending_for(organisation_id: int) -> tuple[list[CareRelation], list[CareRelation]]:
    """The organisation's open requests from residents, and its invitations not yet taken up."""
    requests = db.session.scalars(
        select(CareRelation)
        .where(CareRelation.organisation_id == organisation_id, CareRelation.status == "requested")
        .order_by(CareRelation.created_at)
    )
    invitations = db.session.scalars(
        select(CareRelation)
        .where(
            CareRelation.organisation_id == organisation_id,
            CareRelation.status == "invited",
            CareRelation.expires_at > utcnow(),
        )
        .order_by(CareRelation.created_at.desc())
        .limit(50)
    )
    return list(requests), list(invitations)

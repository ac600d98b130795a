"""Writing and reading the audit log of access to personal data (NEN 7513); records are never changed."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, User
from portal.models.audit import AUDIT_ACTIONS

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditContext:
    """Where a request came from: its request id and client address."""

    request_id: str = ""
    client_address: str = ""


def record(
    actor: User | None,
    action: str,
    object_type: str,
    *,
    context: AuditContext,
    object_id: object = None,
    subject: User | int | None = None,
    outcome: str = "success",
    details: str = "",
) -> AuditEvent:
    """Add an audit record to the current transaction; it is saved with the change or read it describes."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    organisation = actor.organisation if actor is not None else None
    # Staff names are kept for the record; a resident acting on their own data is named by id only,
    # so erasing their account leaves no name behind in the log.
    named = actor is not None and actor.is_staff
    event = AuditEvent(
        actor_user_id=actor.id if actor is not None else None,
        actor_name=(actor.display_name if named else "")[:120],
        actor_role=actor.role if actor is not None else "",
        actor_organisation_id=organisation.id if organisation is not None else None,
        actor_organisation_name=(organisation.name if organisation is not None else "")[:200],
        on_behalf_of=(organisation.name if organisation is not None else "")[:200],
        subject_user_id=subject.id if isinstance(subject, User) else subject,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:64],
        outcome=outcome,
        request_id=context.request_id[:64],
        client_address=context.client_address[:64],
        details=details[:200],
    )
    db.session.add(event)
    return event


@dataclass(frozen=True)
class AuditQuery:
    """A coordinator's search of the log: every field optional."""

    actor_user_id: int | None = None
    subject_user_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(query: AuditQuery):
    statement = select(AuditEvent)
    if query.actor_user_id is not None:
        statement = statement.where(AuditEvent.actor_user_id == query.actor_user_id)
    if query.subject_user_id is not None:
        statement = statement.where(AuditEvent.subject_user_id == query.subject_user_id)
    if query.action:
        statement = statement.where(AuditEvent.action == query.action)
    if query.since is not None:
        statement = statement.where(AuditEvent.occurred_at >= query.since)
    if query.until is not None:
        statement = statement.where(AuditEvent.occurred_at < query.until)
    return statement


@dataclass(frozen=True)
class AuditPage:
    """One page of audit records and how many there are in all."""

    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def search(query: AuditQuery, page: int = 1, per_page: int = PAGE_SIZE) -> AuditPage:
    """The records matching `query`, newest first, one page at a time."""
    statement = _filtered(query)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    events = db.session.scalars(
        statement.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return AuditPage(events=list(events), total=total, page=page, pages=pages)


EXPORT_COLUMNS = (
    "id",
    "occurred_at",
    "actor_user_id",
    "actor_name",
    "actor_role",
    "actor_organisation_id",
    "actor_organisation_name",
    "on_behalf_of",
    "subject_user_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "request_id",
    "client_address",
    "details",
)


def spreadsheet_safe(value: object) -> str:
    """A cell value that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if isinstance(value, datetime):
        text = value.isoformat()
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(query: AuditQuery) -> str:
    """The matching records as CSV (oldest first), cells neutralised against spreadsheet formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    statement = _filtered(query).order_by(AuditEvent.occurred_at, AuditEvent.id).limit(EXPORT_LIMIT)
    for event in db.session.scalars(statement):
        writer.writerow(spreadsheet_safe(getattr(event, column)) for column in EXPORT_COLUMNS)
    return buffer.getvalue()


def views_of(subject: User, limit: int = 200) -> list[AuditEvent]:
    """Who else read, searched, changed or exported this person's data: for 'Wie bekeek mijn gegevens'."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_user_id == subject.id,
                (AuditEvent.actor_user_id != subject.id) | AuditEvent.actor_user_id.is_(None),
            )
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def account_event(
    actor: User | None, subject: User, what: str, *, context: AuditContext, action: str = "change"
) -> AuditEvent:
    """Record a change to an account; `what` is a code the audit page puts in words (record_labels.DETAIL_LABELS)."""
    return record(actor, action, "account", context=context, object_id=subject.id, subject=subject, details=what)

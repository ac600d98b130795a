"""The append-only audit log of access to personal data (NEN 7513)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, BigInteger, CheckConstraint, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow

AUDIT_ACTIONS = ("read", "search", "create", "change", "delete", "export")
AUDIT_OUTCOMES = ("success", "denied", "failure")

# The database itself refuses to change or remove an audit record.
APPEND_ONLY_DDL = {
    "sqlite": (
        "CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$",
        "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    ),
}
DROP_APPEND_ONLY_DDL = {
    "sqlite": ("DROP TRIGGER IF EXISTS audit_events_no_update", "DROP TRIGGER IF EXISTS audit_events_no_delete"),
    "postgresql": (
        "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
        "DROP FUNCTION IF EXISTS audit_events_append_only()",
    ),
}


class AuditEvent(Base):
    """Who did what with whose personal data, when, from where and with what outcome.

    Names are copied in, and there are no foreign keys, so a record outlives the accounts it names."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    actor_organisation_id: Mapped[int | None] = mapped_column(Integer)
    actor_organisation_name: Mapped[str] = mapped_column(String(200), default="")
    on_behalf_of: Mapped[str] = mapped_column(String(200), default="")
    subject_user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(10), default="success")
    request_id: Mapped[str] = mapped_column(String(64), default="")
    client_address: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        CheckConstraint("action IN ('read', 'search', 'create', 'change', 'delete', 'export')", name="action_known"),
        CheckConstraint("outcome IN ('success', 'denied', 'failure')", name="outcome_known"),
        Index("ix_audit_events_subject_time", "subject_user_id", "occurred_at"),
        Index("ix_audit_events_actor_time", "actor_user_id", "occurred_at"),
    )


for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))

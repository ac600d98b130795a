"""Care relations, threads between residents and their care team, consultations, messages and read receipts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.neighbourhood import Organisation
from portal.models.programme import Session
from portal.models.sealed import SealedText
from portal.models.user import User

RELATION_STATUSES = ("invited", "requested", "active", "ended", "declined")
OPEN_RELATION = text("status IN ('requested', 'active')")
UNASSIGNED = text("assignee_id IS NULL")


class CareRelation(Base):
    """A resident and an organisation that helps them; made by both sides, ended by either.

    A professional's invitation is a row with a code (only its hash kept) and no resident yet; a resident's
    request is a row in 'requested' until someone of the organisation confirms it."""

    __tablename__ = "care_relations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    started_by: Mapped[str] = mapped_column(String(12))  # 'professional' or 'resident'
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_email: Mapped[str | None] = mapped_column(String(254))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(12))  # 'resident', 'professional' or 'erasure'

    resident: Mapped[User | None] = relationship(foreign_keys=[resident_id])
    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    __table_args__ = (
        CheckConstraint("status IN ('invited', 'requested', 'active', 'ended', 'declined')", name="status_known"),
        CheckConstraint("started_by IN ('professional', 'resident')", name="started_by_known"),
        CheckConstraint("status = 'invited' OR resident_id IS NOT NULL", name="has_resident"),
        CheckConstraint("status <> 'active' OR active_since IS NOT NULL", name="active_has_time"),
        Index(
            "uq_care_relations_open_pair",
            "resident_id",
            "organisation_id",
            unique=True,
            sqlite_where=OPEN_RELATION,
            postgresql_where=OPEN_RELATION,
        ),
        Index("ix_care_relations_in_care", "resident_id", "organisation_id", "status"),  # the inbox's in-care check
    )


class InvolvementConsent(Base):
    """A resident's agreement that their care team may consult one organisation about them; withdrawable."""

    __tablename__ = "involvement_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()


THREAD_KINDS = ("team", "consultation", "referral")
THREAD_STATUSES = ("open", "closed")


class Thread(Base):
    """A conversation: a resident with one organisation's team, two teams consulting about a resident, or the
    warm handover of a referral (the receiving team, the referring team as partner, and the resident).

    `version` grows with every claim, handover, close and reopen, so a change made from a stale page is
    refused instead of overwriting a colleague's."""

    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default="team")
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    partner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    subject: Mapped[str] = mapped_column(SealedText)
    status: Mapped[str] = mapped_column(String(10), default="open")
    waiting_on: Mapped[str] = mapped_column(String(10), default="team")  # 'team' or 'resident'
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_from_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    resident: Mapped[User] = relationship(foreign_keys=[resident_id])
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    partner_organisation: Mapped[Organisation | None] = relationship(foreign_keys=[partner_organisation_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])

    __table_args__ = (
        CheckConstraint("kind IN ('team', 'consultation', 'referral')", name="kind_known"),
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        CheckConstraint("waiting_on IN ('team', 'resident')", name="waiting_on_known"),
        CheckConstraint("(kind = 'team') = (partner_organisation_id IS NULL)", name="consultation_has_partner"),
        Index("ix_threads_inbox", "organisation_id", "status", "last_message_at", "id"),
        Index("ix_threads_partner_inbox", "partner_organisation_id", "status", "last_message_at"),
        Index("ix_threads_resident", "resident_id", "last_message_at"),
        Index("ix_threads_assignee", "assignee_id", "status"),
        # The unassigned and mine boxes and the box counts read this index only (no table rows).
        Index(
            "ix_threads_team_queue",
            "organisation_id",
            "kind",
            "status",
            "assignee_id",
            "reply_due_at",
            "id",
            "waiting_on",
            "resident_id",
        ),
        # The unassigned box in its order (reply due first) from the index, without a sort: PostgreSQL takes
        # `assignee_id IS NULL` as no equality, so ix_threads_team_queue gave it every open thread to sort.
        Index(
            "ix_threads_unassigned_queue",
            "organisation_id",
            "kind",
            "status",
            "reply_due_at",
            "id",
            "resident_id",
            sqlite_where=UNASSIGNED,
            postgresql_where=UNASSIGNED,
        ),
    )

    @property
    def is_consultation(self) -> bool:
        """True for professionals consulting each other about the resident."""
        return self.kind == "consultation"

    @property
    def is_referral(self) -> bool:
        """True for the warm-handover thread of a referral."""
        return self.kind == "referral"


MESSAGE_KINDS = ("message", "auto_reply", "note")


class Message(Base):
    """One message in a thread; the text is sealed. An automatic reply has no author."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(12), default="message")
    body: Mapped[str] = mapped_column(SealedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offered_session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))

    author: Mapped[User | None] = relationship()
    offered_session: Mapped[Session | None] = relationship()
    author_organisation: Mapped[Organisation | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="message", order_by="Attachment.id")

    __table_args__ = (
        CheckConstraint("kind IN ('message', 'auto_reply', 'note')", name="kind_known"),
        UniqueConstraint("thread_id", "idempotency_key", name="uq_messages_thread_id_idempotency_key"),
        Index("ix_messages_thread", "thread_id", "id"),
    )


class MessageReceipt(Base):
    """When a party first read a message: 'resident', or 'o<id>' for a team."""

    __tablename__ = "message_receipts"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True)
    party: Mapped[str] = mapped_column(String(16), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ThreadEvent(Base):
    """A change to a thread by the team (claimed, handed over, closed, reopened, returned): the team's log."""

    __tablename__ = "thread_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(SealedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    target: Mapped[User | None] = relationship(foreign_keys=[target_id])


class AwayPeriod(Base):
    """A professional away from one day to another, with the colleague who covers."""

    __tablename__ = "away_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    cover_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    cover: Mapped[User | None] = relationship(foreign_keys=[cover_id])

    __table_args__ = (CheckConstraint("last_day >= first_day", name="days_in_order"),)


class Attachment(Base):
    """A file sent with a message: cleaned, encrypted and kept outside static/ under a random key."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    filename: Mapped[str] = mapped_column(SealedText)
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    message: Mapped[Message] = relationship(back_populates="attachments")

    __table_args__ = (
        CheckConstraint("kind IN ('pdf', 'jpeg', 'png')", name="kind_known"),
        CheckConstraint("size > 0", name="size_positive"),
    )

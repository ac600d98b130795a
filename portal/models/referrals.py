"""Referrals of a resident by a professional to an organisation's offer, and every change to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.booking import Booking
from portal.models.messaging import Thread
from portal.models.neighbourhood import Organisation
from portal.models.programme import Programme
from portal.models.sealed import SealedText
from portal.models.user import User

# The FHIR R4 Task status codes, as the HL7 Gravity SDOH Clinical Care guide uses them.
REFERRAL_STATUSES = (
    "draft",
    "requested",
    "accepted",
    "rejected",
    "cancelled",
    "in-progress",
    "on-hold",
    "failed",
    "completed",
    "entered-in-error",
)
LEVEL_CHECK = "IN ('laag', 'midden', 'hoog')"
# The workspace's two lists, written out as SQL so that both databases match them with the partial indexes below
# (SQLite uses a partial index only for a WHERE term written exactly as the index's, without bound parameters).
OPEN_LOOP = text("status IN ('accepted', 'draft', 'in-progress', 'on-hold', 'requested')")
CLOSED_LOOP = text("status IN ('cancelled', 'completed', 'entered-in-error', 'failed', 'rejected')")


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


class Referral(Base):
    """A resident referred by a professional (from a route-map step, programme or organisation page) to a team.

    `version` grows with every status change, so a change from a stale page is refused. The handover note is
    sealed and readable by the resident; the thread (kind 'referral') is shared by referrer, receiver and
    resident."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referrer_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    route_map: Mapped[str | None] = mapped_column(String(80))
    route_step: Mapped[str | None] = mapped_column(String(80))
    self_reliance: Mapped[str | None] = mapped_column(String(6))
    health_literacy: Mapped[str | None] = mapped_column(String(6))
    motivation: Mapped[str | None] = mapped_column(String(6))
    note: Mapped[str] = mapped_column(SealedText)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    reason: Mapped[str | None] = mapped_column(String(30))
    expected_wait: Mapped[str | None] = mapped_column(String(10))
    agreement: Mapped[str | None] = mapped_column(String(12))  # 'resident' (in the portal) or 'consultation'
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agreement_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"), unique=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    referrer_seen_version: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(Integer, default=1)

    resident: Mapped[User] = relationship(foreign_keys=[resident_id])
    referrer: Mapped[User | None] = relationship(foreign_keys=[referrer_id])
    referrer_organisation: Mapped[Organisation] = relationship(foreign_keys=[referrer_organisation_id])
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    programme: Mapped[Programme | None] = relationship()
    thread: Mapped[Thread | None] = relationship()
    booking: Mapped[Booking | None] = relationship()
    agreement_recorded_by: Mapped[User | None] = relationship(foreign_keys=[agreement_recorded_by_id])
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", order_by="ReferralEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(f"status IN ({_quoted(REFERRAL_STATUSES)})", name="status_known"),
        CheckConstraint(f"self_reliance IS NULL OR self_reliance {LEVEL_CHECK}", name="self_reliance_known"),
        CheckConstraint(f"health_literacy IS NULL OR health_literacy {LEVEL_CHECK}", name="health_literacy_known"),
        CheckConstraint(f"motivation IS NULL OR motivation {LEVEL_CHECK}", name="motivation_known"),
        CheckConstraint("agreement IS NULL OR agreement IN ('resident', 'consultation')", name="agreement_known"),
        CheckConstraint("status = 'draft' OR status = 'entered-in-error' OR agreed_at IS NOT NULL", name="agreed"),
        CheckConstraint(
            "expected_wait IS NULL OR expected_wait IN ('lt_1m', '1_3m', 'gt_3m')", name="expected_wait_known"
        ),
        UniqueConstraint("referrer_id", "idempotency_key", name="uq_referrals_referrer_id_idempotency_key"),
        # The receiving team's workspace: its referrals by status, oldest change first.
        Index("ix_referrals_receiver", "organisation_id", "status", "changed_at", "id"),
        Index("ix_referrals_referrer", "referrer_organisation_id", "status", "changed_at", "id"),
        # One team's open or closed loops in the order of its list, read from the index without a sort.
        Index(
            "ix_referrals_receiver_open",
            "organisation_id",
            "changed_at",
            "id",
            sqlite_where=OPEN_LOOP,
            postgresql_where=OPEN_LOOP,
        ),
        Index(
            "ix_referrals_receiver_closed",
            "organisation_id",
            "changed_at",
            "id",
            sqlite_where=CLOSED_LOOP,
            postgresql_where=CLOSED_LOOP,
        ),
        Index(
            "ix_referrals_referrer_open",
            "referrer_organisation_id",
            "changed_at",
            "id",
            sqlite_where=OPEN_LOOP,
            postgresql_where=OPEN_LOOP,
        ),
        Index(
            "ix_referrals_referrer_closed",
            "referrer_organisation_id",
            "changed_at",
            "id",
            sqlite_where=CLOSED_LOOP,
            postgresql_where=CLOSED_LOOP,
        ),
    )

    @property
    def levels(self) -> dict[str, str | None]:
        """The referrer's estimate on the route map's three dimensions (the selector's names)."""
        return {
            "zelfredzaamheid": self.self_reliance,
            "gezondheidsvaardigheden": self.health_literacy,
            "motivatie": self.motivation,
        }


class ReferralEvent(Base):
    """One change of a referral: who, when, from which status to which, why (a fixed code) and a note."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_party: Mapped[str] = mapped_column(String(12))  # 'referrer', 'receiver', 'resident' or 'system'
    kind: Mapped[str] = mapped_column(String(20))  # 'status', 'agreed', 'booked', 'follow_up', 'reminded'
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(SealedText)
    detail: Mapped[str | None] = mapped_column(Text)  # a code or date, never free text about the resident
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("actor_party IN ('referrer', 'receiver', 'resident', 'system')", name="actor_party_known"),
    )

"""The cijfer voor gezondheid and the 4D self-check: a resident's checks, estimates, sharing and reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.neighbourhood import Organisation
from portal.models.sealed import SealedText
from portal.models.user import User

# The four domains of the 4D model, in the order the check asks them: lichaam, geest, sociaal, maatschappelijk.
DOMAINS = ("body", "mind", "social", "societal")
ACTIVE_SHARE = text("withdrawn_at IS NULL")


class HealthCheck(Base):
    """One check a resident filled in: the mark, four domain marks, optional answers, all sealed in `answers`.

    Only the date and the owner are readable in the database; every mark and text is in the sealed JSON
    (see portal.services.health_check.answers)."""

    __tablename__ = "health_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answers: Mapped[str] = mapped_column(SealedText)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))  # a double click or retried POST stores one

    resident: Mapped[User] = relationship()
    estimates: Mapped[list[HealthCheckEstimate]] = relationship(
        back_populates="check", order_by="HealthCheckEstimate.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("resident_id", "idempotency_key", name="uq_health_checks_resident_id_idempotency_key"),
        Index("ix_health_checks_resident_taken", "resident_id", "taken_at"),
    )


class HealthCheckEstimate(Base):
    """A professional's own estimate of the resident's mark, recorded with the resident beside one of their checks."""

    __tablename__ = "health_check_estimates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("health_checks.id"), index=True)
    professional_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    marks: Mapped[str] = mapped_column(SealedText)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    check: Mapped[HealthCheck] = relationship(back_populates="estimates")
    professional: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation] = relationship()

    # One estimate per team per check: a second submit (double click, a colleague) is refused, never overwrites.
    __table_args__ = (
        UniqueConstraint("check_id", "organisation_id", name="uq_health_check_estimates_check_id_organisation_id"),
    )


class HealthCheckShare(Base):
    """A resident's choice that one organisation of their care team sees their checks; withdrawn, never deleted."""

    __tablename__ = "health_check_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (
        # At most one active share per resident and organisation.
        Index(
            "uq_health_check_shares_active",
            "resident_id",
            "organisation_id",
            unique=True,
            sqlite_where=ACTIVE_SHARE,
            postgresql_where=ACTIVE_SHARE,
        ),
        Index("ix_health_check_shares_resident", "resident_id"),
    )


class HealthCheckReminder(Base):
    """A resident's wish to be reminded to fill in the check again every `every_weeks` weeks."""

    __tablename__ = "health_check_reminders"

    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    every_weeks: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("every_weeks BETWEEN 1 AND 52", name="every_weeks_range"),)

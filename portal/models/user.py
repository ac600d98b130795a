"""Accounts of residents and staff."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.neighbourhood import Organisation

ROLES = ("resident", "professional", "broker", "admin")
STAFF_ROLES = frozenset({"professional", "broker", "admin"})


class User(UserMixin, Base):
    """A person who logs in: a resident, professional, beweegmakelaar or coordinator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), default="resident")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    second_factor: Mapped[str | None] = mapped_column(String(10))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_notice: Mapped[str] = mapped_column(String(10), default="instant", server_default="instant")

    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        CheckConstraint("role IN ('resident', 'professional', 'broker', 'admin')", name="role_known"),
        CheckConstraint("locale IN ('nl', 'en', 'tr', 'ar')", name="locale_known"),
        CheckConstraint(
            "role = 'resident' OR role = 'admin' OR organisation_id IS NOT NULL",
            name="staff_has_organisation",
        ),
        CheckConstraint("second_factor IS NULL OR second_factor IN ('totp', 'email')", name="second_factor_known"),
        CheckConstraint(
            "second_factor IS NULL OR second_factor = 'email' OR totp_secret IS NOT NULL", name="totp_has_secret"
        ),
        CheckConstraint("message_notice IN ('instant', 'daily', 'none')", name="message_notice_known"),
    )

    @property
    def is_staff(self) -> bool:
        """True for professionals, beweegmakelaars and coordinators."""
        return self.role in STAFF_ROLES

    @property
    def is_coordinator(self) -> bool:
        """True for coordinators (role admin)."""
        return self.role == "admin"

    @property
    def is_active(self) -> bool:  # used by Flask-Login
        """Whether the account may log in."""
        return self.is_active_account

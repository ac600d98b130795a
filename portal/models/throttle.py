"""Counters of login, code and reset attempts, kept in the database so they hold without Redis."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime


class AuthThrottle(Base):
    """How many attempts one key (account, address, login) made in its current window."""

    __tablename__ = "auth_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)

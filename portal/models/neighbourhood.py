"""Neighbourhoods and the organisations that work in them."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base

ORGANISATION_KINDS = ("practice", "buurtteam", "brokerage", "physio", "jgz", "welfare")


class Neighbourhood(Base):
    """A wijk served by the portal, such as Overvecht."""

    __tablename__ = "neighbourhoods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    zoom: Mapped[int] = mapped_column(Integer, default=15)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    organisations: Mapped[list[Organisation]] = relationship(
        back_populates="neighbourhood", order_by="Organisation.name"
    )

    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
    )


class Organisation(Base):
    """A practice, buurtteam, brokerage or other organisation in the network."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20))
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    street: Mapped[str | None] = mapped_column(String(120))
    house_number: Mapped[str | None] = mapped_column(String(20))
    postcode: Mapped[str | None] = mapped_column(String(7))
    city: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    reply_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    neighbourhood: Mapped[Neighbourhood] = relationship(back_populates="organisations")

    __table_args__ = (
        CheckConstraint(
            "kind IN ('practice', 'buurtteam', 'brokerage', 'physio', 'jgz', 'welfare')",
            name="kind_known",
        ),
        CheckConstraint("reply_days BETWEEN 1 AND 10", name="reply_days_range"),
    )

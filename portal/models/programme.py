"""The social map: locations, programmes with per-language texts, and their sessions."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.config import TIMEZONE
from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.neighbourhood import Neighbourhood, Organisation

CATEGORIES = ("bewegen", "ontmoeten", "creatief", "gezondheid", "opvoeden", "geld-werk")
AUDIENCES = ("kinderen", "jongeren", "volwassenen", "ouderen", "gezinnen")
PROGRAMME_STATUSES = ("draft", "published", "archived")
SESSION_STATUSES = ("scheduled", "cancelled")
SORT_LOCALES = ("nl", "en", "tr", "ar")  # the portal's languages: one sort title (and list index) each
# No index here starts with status: without statistics SQLite would take status = 'published' for a selective
# condition and scan almost every programme through it instead of using the slug or another index.
_FILTERED = ("category", "cost_cents", "referral_required")
FILTER_INDEX = ("ix_programmes_filters", *_FILTERED, "location_id", "status", "sort_title_nl")
LOCATION_FILTER_INDEX = ("ix_programmes_at_location", "location_id", *_FILTERED, "status", "sort_title_nl")


class Location(Base):
    """A place where programmes meet, with address and coordinates."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhoods.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    street: Mapped[str] = mapped_column(String(120))
    house_number: Mapped[str] = mapped_column(String(20))
    postcode: Mapped[str] = mapped_column(String(7))
    city: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    wheelchair_accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    accessibility: Mapped[dict] = mapped_column(JSON, default=dict)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    neighbourhood: Mapped[Neighbourhood] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
    )


# The map's list of places walks this index by name, a page at a time.
Index("ix_locations_by_name", func.lower(Location.name), Location.id)


class Programme(Base):
    """An offer on the social map (an HSDS service) run by one organisation."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))  # indexed by ix_programmes_at_location
    category: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    referral_required: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    last_verified_on: Mapped[date | None] = mapped_column(Date)
    cancel_cutoff_minutes: Mapped[int] = mapped_column(Integer, default=120, server_default="120")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The folded title in each language, the Dutch one where untranslated; all four NULL without a Dutch text
    # (such a programme is not listed). The order of the public list, walked through an index; kept up to
    # date by portal/models/programme_order.py.
    sort_title_nl: Mapped[str | None] = mapped_column(String(160))
    sort_title_en: Mapped[str | None] = mapped_column(String(160))
    sort_title_tr: Mapped[str | None] = mapped_column(String(160))
    sort_title_ar: Mapped[str | None] = mapped_column(String(160))

    organisation: Mapped[Organisation] = relationship()
    location: Mapped[Location | None] = relationship()
    translations: Mapped[list[ProgrammeText]] = relationship(back_populates="programme", cascade="all, delete-orphan")
    audiences: Mapped[list[ProgrammeAudience]] = relationship(cascade="all, delete-orphan")
    languages: Mapped[list[ProgrammeLanguage]] = relationship(cascade="all, delete-orphan")
    fits: Mapped[list[ProgrammeFit]] = relationship(cascade="all, delete-orphan")
    sessions: Mapped[list[Session]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Session.starts_at"
    )

    __table_args__ = (
        CheckConstraint(
            "category IN ('bewegen', 'ontmoeten', 'creatief', 'gezondheid', 'opvoeden', 'geld-werk')",
            name="category_known",
        ),
        CheckConstraint("status IN ('draft', 'published', 'care_team', 'archived')", name="status_known"),
        CheckConstraint("cost_cents >= 0", name="cost_not_negative"),
        CheckConstraint("cancel_cutoff_minutes BETWEEN 0 AND 10080", name="cancel_cutoff_range"),
        *(Index(f"ix_programmes_list_{locale}", f"sort_title_{locale}", "id", "status") for locale in SORT_LOCALES),
        # Counting the matches of the list's and the map's filters reads these indexes only, never a table row.
        Index(*FILTER_INDEX),
        Index(*LOCATION_FILTER_INDEX),
    )

    def text(self, locale: str) -> ProgrammeText:
        """The texts in `locale`, falling back to Dutch, which every programme has."""
        by_locale = {t.locale: t for t in self.translations}
        return by_locale.get(locale) or by_locale["nl"]

    @property
    def is_free(self) -> bool:
        """True when taking part costs nothing."""
        return self.cost_cents == 0


class ProgrammeText(Base):
    """Title, summary, description and referral note of a programme in one language."""

    __tablename__ = "programme_texts"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    locale: Mapped[str] = mapped_column(String(5), primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    referral: Mapped[str | None] = mapped_column(String(300))
    search_title: Mapped[str] = mapped_column(String(160), default="")
    search_body: Mapped[str] = mapped_column(Text, default="")
    title_terms: Mapped[str] = mapped_column(Text, default="")  # folded Snowball stems, space-separated
    body_terms: Mapped[str] = mapped_column(Text, default="")
    # The description's readable text (Markdown rendered, markup dropped): what search snippets are cut from.
    description_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    programme: Mapped[Programme] = relationship(back_populates="translations")

    __table_args__ = (
        CheckConstraint("locale IN ('nl', 'en', 'tr', 'ar')", name="locale_known"),
        # Covers the sort by title, so sorting many results never reads the long texts.
        Index("ix_programme_texts_sort_title", "programme_id", "locale", "search_title"),
    )


class ProgrammeAudience(Base):
    """One audience a programme is meant for (kinderen, ouderen, ...)."""

    __tablename__ = "programme_audiences"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    audience: Mapped[str] = mapped_column(String(20), primary_key=True)

    __table_args__ = (
        CheckConstraint(
            "audience IN ('kinderen', 'jongeren', 'volwassenen', 'ouderen', 'gezinnen')",
            name="audience_known",
        ),
    )


class ProgrammeLanguage(Base):
    """One language spoken at a programme (ISO 639-1)."""

    __tablename__ = "programme_languages"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)

    # The filter form lists the languages spoken anywhere: one index step per language, not a scan of all rows.
    __table_args__ = (Index("ix_programme_languages_language", "language", "programme_id"),)


class ProgrammeFit(Base):
    """For whom on a route map a programme fits: a level (laag, midden, hoog) on one dimension."""

    __tablename__ = "programme_fits"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(30), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)

    __table_args__ = (
        CheckConstraint(
            "dimension IN ('zelfredzaamheid', 'gezondheidsvaardigheden', 'motivatie')", name="dimension_known"
        ),
        CheckConstraint("level IN ('laag', 'midden', 'hoog')", name="level_known"),
    )


class ProgrammeChange(Base):
    """One changed field of a programme: who, when, from what to what (the change history)."""

    __tablename__ = "programme_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    user_name: Mapped[str] = mapped_column(String(120), default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")


class Session(Base):
    """One meeting of a programme, or one appointment slot (capacity 1)."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    local_weekday: Mapped[int] = mapped_column(Integer, default=0)
    local_minute: Mapped[int] = mapped_column(Integer, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    series_id: Mapped[str | None] = mapped_column(String(32), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # +1 each time it is moved

    programme: Mapped[Programme] = relationship(back_populates="sessions")

    __table_args__ = (
        Index("ix_sessions_upcoming", "programme_id", "status", "starts_at"),
        # The day and part-of-day filters: one index probe per programme, no table rows read.
        Index("ix_sessions_weekday_time", "programme_id", "status", "local_weekday", "local_minute", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("local_weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("local_minute BETWEEN 0 AND 1439", name="minute_range"),
        CheckConstraint("capacity BETWEEN 1 AND 500", name="capacity_range"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status_known"),
    )

    @property
    def places_left(self) -> int:
        """Free places in this session."""
        return max(self.capacity - self.booked, 0)


_LOCAL_ZONE = ZoneInfo(TIMEZONE)


@event.listens_for(Session, "before_insert")
@event.listens_for(Session, "before_update")
def _local_start(mapper, connection, session: Session) -> None:
    """Store the local weekday and minute of the start, for day and part-of-day filters."""
    local = session.starts_at.astimezone(_LOCAL_ZONE)
    session.local_weekday = local.weekday()
    session.local_minute = local.hour * 60 + local.minute

"""Keeping programme listings up to date: create, edit, publish, archive, confirm, and the change history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select

from portal.config import LANGUAGES
from portal.extensions import db
from portal.models import (
    Location,
    Organisation,
    Programme,
    ProgrammeAudience,
    ProgrammeChange,
    ProgrammeFit,
    ProgrammeLanguage,
    ProgrammeText,
    User,
)
from portal.services.listings.history_view import normalised_text, same_value
from portal.services.slugs import SLUG_PATTERN

FLAG_AFTER_DAYS = 90  # the dashboard asks to check the listing
STALE_AFTER_DAYS = 180  # the public page says it may be out of date
FIT_DIMENSIONS = ("zelfredzaamheid", "gezondheidsvaardigheden", "motivatie")
FIT_LEVELS = ("laag", "midden", "hoog")
TEXT_FIELDS = ("title", "summary", "description", "referral")


class ListingError(ValueError):
    """Raised when a listing cannot be changed as asked; `code` says why, `detail` is for the log."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass
class ProgrammeData:
    """Everything a beweegmakelaar fills in about a programme."""

    category: str
    cost_cents: int = 0
    referral_required: bool = False
    cancel_cutoff_minutes: int = 120
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    location_id: int | None = None
    audiences: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # locale -> title, summary, description, referral
    fits: dict[str, list[str]] = field(default_factory=dict)  # dimension -> levels


def data_of(programme: Programme) -> ProgrammeData:
    """The current values of a programme, as the form shows them."""
    fits: dict[str, list[str]] = {}
    for fit in programme.fits:
        fits.setdefault(fit.dimension, []).append(fit.level)
    return ProgrammeData(
        category=programme.category,
        cost_cents=programme.cost_cents,
        referral_required=programme.referral_required,
        cancel_cutoff_minutes=programme.cancel_cutoff_minutes,
        contact_name=programme.contact_name or "",
        contact_phone=programme.contact_phone or "",
        contact_email=programme.contact_email or "",
        location_id=programme.location_id,
        audiences=sorted(a.audience for a in programme.audiences),
        languages=sorted(lang.language for lang in programme.languages),
        texts={
            text.locale: {name: getattr(text, name) or "" for name in TEXT_FIELDS} for text in programme.translations
        },
        fits={dimension: sorted(levels, key=FIT_LEVELS.index) for dimension, levels in fits.items()},
    )


def _flatten(data: ProgrammeData) -> dict[str, str]:
    """One comparable string per field, for the change history."""
    flat = {
        "category": data.category,
        "cost_cents": str(data.cost_cents),
        "referral_required": "ja" if data.referral_required else "nee",
        "cancel_cutoff_minutes": str(data.cancel_cutoff_minutes),
        "contact_name": data.contact_name,
        "contact_phone": data.contact_phone,
        "contact_email": data.contact_email,
        "location_id": "" if data.location_id is None else str(data.location_id),
        "audiences": " ".join(sorted(data.audiences)),
        "languages": " ".join(sorted(data.languages)),
    }
    for dimension in FIT_DIMENSIONS:
        flat[f"fit.{dimension}"] = " ".join(sorted(data.fits.get(dimension, []), key=FIT_LEVELS.index))
    for locale in LANGUAGES:
        texts = data.texts.get(locale) or {}
        for name in TEXT_FIELDS:
            flat[f"{name}.{locale}"] = normalised_text(texts.get(name) or "")
    return flat


def _apply(programme: Programme, data: ProgrammeData) -> None:
    if any(locale not in LANGUAGES for locale in data.texts):
        raise ListingError("unknown_language")
    nl = data.texts.get("nl") or {}
    if not (nl.get("title") or "").strip() or not (nl.get("summary") or "").strip():
        raise ListingError("dutch_text_required")
    programme.category = data.category
    programme.cost_cents = data.cost_cents
    programme.referral_required = data.referral_required
    programme.cancel_cutoff_minutes = data.cancel_cutoff_minutes
    programme.contact_name = data.contact_name or None
    programme.contact_phone = data.contact_phone or None
    programme.contact_email = data.contact_email or None
    programme.location_id = data.location_id
    programme.audiences = [ProgrammeAudience(audience=code) for code in sorted(set(data.audiences))]
    programme.languages = [ProgrammeLanguage(language=code) for code in sorted(set(data.languages))]
    programme.fits = [
        ProgrammeFit(dimension=dimension, level=level)
        for dimension in FIT_DIMENSIONS
        for level in sorted(set(data.fits.get(dimension, [])), key=FIT_LEVELS.index)
    ]
    existing = {text.locale: text for text in programme.translations}
    for locale in LANGUAGES:
        texts = data.texts.get(locale) or {}
        title = (texts.get("title") or "").strip()
        if not title:
            if locale in existing:
                programme.translations.remove(existing[locale])
            continue
        text = existing.get(locale) or ProgrammeText(locale=locale)
        text.title = title
        text.summary = (texts.get("summary") or "").strip()
        text.description = (texts.get("description") or "").strip()
        text.referral = (texts.get("referral") or "").strip() or None
        if locale not in existing:
            programme.translations.append(text)


def record(programme: Programme, user: User, name: str, old: str, new: str) -> ProgrammeChange:
    """Write one change of a programme (a field, its sessions) to its history."""
    change = ProgrammeChange(
        programme_id=programme.id,
        user_id=user.id,
        user_name=user.display_name,
        field=name,
        old_value=old,
        new_value=new,
    )
    db.session.add(change)
    return change


def create_programme(organisation: Organisation, slug: str, data: ProgrammeData, user: User, today: date) -> Programme:
    """A new draft programme of `organisation`.

    Raises ListingError "malformed_slug" or "slug_taken", or as update_programme for the values."""
    if not SLUG_PATTERN.match(slug) or len(slug) > 80:
        raise ListingError("malformed_slug", repr(slug))
    if db.session.scalar(select(Programme.id).where(Programme.slug == slug)) is not None:
        raise ListingError("slug_taken", repr(slug))
    programme = Programme(slug=slug, organisation=organisation, status="draft", last_verified_on=today)
    _apply(programme, data)
    db.session.add(programme)
    db.session.flush()
    record(programme, user, "created", "", slug)
    return programme


def update_programme(programme: Programme, data: ProgrammeData, user: User, today: date) -> list[ProgrammeChange]:
    """Save the form's values; every changed field goes into the history. Editing counts as checking.

    Raises ListingError "dutch_text_required" (no Dutch title and summary) or "unknown_language"."""
    before = snapshot(programme)
    _apply(programme, data)
    programme.last_verified_on = today
    return record_differences(programme, user, before)


def snapshot(programme: Programme) -> dict[str, str]:
    """The programme's fields as the history compares them, before a change."""
    return _flatten(data_of(programme))


def record_differences(programme: Programme, user: User, before: dict[str, str]) -> list[ProgrammeChange]:
    """Write every field that really differs from its `before` snapshot to the history (see same_value)."""
    after = snapshot(programme)
    changed = [name for name in after if not same_value(name, before[name], after[name])]
    return [record(programme, user, name, before[name], after[name]) for name in changed]


def set_status(programme: Programme, status: str, user: User, today: date) -> None:
    """Publish (for all, or for the care team only), archive or bring back to draft; recorded in the history.

    Raises ListingError "unknown_status"."""
    if status not in ("draft", "published", "care_team", "archived"):
        raise ListingError("unknown_status", repr(status))
    if programme.status != status:
        record(programme, user, "status", programme.status, status)
        programme.status = status
    if status in ("published", "care_team"):
        programme.last_verified_on = today


def confirm_current(programme: Programme, user: User, today: date) -> None:
    """'Still correct': the listing was checked today."""
    old = programme.last_verified_on.isoformat() if programme.last_verified_on else ""
    programme.last_verified_on = today
    record(programme, user, "checked", old, today.isoformat())


def days_since_check(programme: Programme, today: date) -> int | None:
    """Days since the listing was last checked, or None when never."""
    return None if programme.last_verified_on is None else (today - programme.last_verified_on).days


def needs_check(programme: Programme, today: date) -> bool:
    """True when the listing was not confirmed for 90 days (shown on the dashboard)."""
    days = days_since_check(programme, today)
    return days is None or days >= FLAG_AFTER_DAYS


def may_be_outdated(programme: Programme, today: date) -> bool:
    """True when the listing was not confirmed for 180 days (the public page warns)."""
    days = days_since_check(programme, today)
    return days is not None and days >= STALE_AFTER_DAYS


def history(programme: Programme) -> list[ProgrammeChange]:
    """The programme's changes, newest first."""
    return list(
        db.session.scalars(
            select(ProgrammeChange)
            .where(ProgrammeChange.programme_id == programme.id)
            .order_by(ProgrammeChange.changed_at.desc(), ProgrammeChange.id.desc())
        )
    )


def usable_locations(organisation: Organisation | None) -> list[Location]:
    """The locations an organisation may use for its programmes (its own and shared ones); all for None."""
    statement = select(Location).order_by(Location.name)
    if organisation is not None:
        statement = statement.where(
            or_(Location.organisation_id == organisation.id, Location.organisation_id.is_(None))
        )
    return list(db.session.scalars(statement))

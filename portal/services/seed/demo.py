"""Load the demo neighbourhood from content/demo/*.yaml; safe to run again."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select

from portal.config import LANGUAGES, TIMEZONE
from portal.extensions import db
from portal.models import (
    Location,
    Neighbourhood,
    Organisation,
    Programme,
    ProgrammeAudience,
    ProgrammeLanguage,
    ProgrammeText,
    Session,
)
from portal.models.neighbourhood import ORGANISATION_KINDS
from portal.models.programme import AUDIENCES, CATEGORIES
from portal.services.accounts.users import create_user, find_user_by_email
from portal.services.content_errors import ContentError, require
from portal.services.slugs import SLUG_PATTERN

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SCHEDULE_WEEKS = 8
DEMO_PASSWORD = "Overvecht-demo-2026"  # noqa: S105  (public demo password, printed by make run)
_POSTCODE = re.compile(r"^\d{4} [A-Z]{2}$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass
class DemoReport:
    """What a demo load added; a second run adds nothing that is there already."""

    added: dict[str, int] = field(default_factory=dict)
    users: list[tuple[str, str]] = field(default_factory=list)

    def count(self, what: str, n: int = 1) -> None:
        """Add `n` to the tally of `what`."""
        self.added[what] = self.added.get(what, 0) + n


def read_yaml(path: Path) -> dict:
    """Parse a YAML file; raise ContentError naming it when it is not a mapping."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ContentError(path.name, "file", f"cannot be read as YAML: {error}") from error
    if not isinstance(data, dict):
        raise ContentError(path.name, "file", "expected a mapping at the top level")
    return data


def _slug(item: dict, file: str, where: str) -> str:
    slug = require(item, "slug", str, file, where)
    if not SLUG_PATTERN.match(slug):
        raise ContentError(file, f"{where}.slug", f"{slug!r} is not lowercase letters, digits and hyphens")
    return slug


def _translations(item: dict, key: str, file: str, where: str, *, optional: bool = False) -> dict:
    texts = require(item, key, dict, file, where, optional=optional)
    if texts is None:
        return {}
    unknown = set(texts) - set(LANGUAGES)
    if unknown:
        raise ContentError(file, f"{where}.{key}", f"unknown languages {sorted(unknown)}")
    if not isinstance(texts.get("nl"), str) or not texts["nl"].strip():
        raise ContentError(file, f"{where}.{key}.nl", "the Dutch text is missing")
    return {lang: str(text).strip() for lang, text in texts.items() if text}


def _address(item: dict, file: str, where: str) -> dict:
    postcode = require(item, "postcode", str, file, where)
    if not _POSTCODE.match(postcode):
        raise ContentError(file, f"{where}.postcode", f"{postcode!r} is not a Dutch postcode like '3563 AB'")
    return {
        "street": require(item, "street", str, file, where),
        "house_number": str(require(item, "house_number", (str, int), file, where)),
        "postcode": postcode,
        "city": require(item, "city", str, file, where),
    }


def _coordinates(item: dict, file: str, where: str) -> tuple[float, float]:
    lat = require(item, "latitude", float, file, where)
    lng = require(item, "longitude", float, file, where)
    if not (50.7 <= lat <= 53.7 and 3.2 <= lng <= 7.3):
        raise ContentError(file, f"{where}.latitude", "the coordinates lie outside the Netherlands")
    return lat, lng


def _upsert(model, slug: str, report: DemoReport, what: str):
    obj = db.session.scalar(select(model).where(model.slug == slug))
    if obj is None:
        obj = model(slug=slug)
        db.session.add(obj)
        report.count(what)
    return obj


def _load_neighbourhood(data: dict, file: str, report: DemoReport) -> Neighbourhood:
    item = require(data, "neighbourhood", dict, file, "neighbourhood")
    hood = _upsert(Neighbourhood, _slug(item, file, "neighbourhood"), report, "neighbourhoods")
    hood.name = require(item, "name", str, file, "neighbourhood")
    hood.city = require(item, "city", str, file, "neighbourhood")
    hood.latitude, hood.longitude = _coordinates(item, file, "neighbourhood")
    hood.zoom = require(item, "zoom", int, file, "neighbourhood")
    hood.is_demo = True
    return hood


def _load_organisations(data: dict, hood: Neighbourhood, file: str, report: DemoReport) -> dict[str, Organisation]:
    result = {}
    for i, item in enumerate(require(data, "organisations", list, file, "file")):
        where = f"organisations[{i}]"
        slug = _slug(item, file, where)
        kind = require(item, "kind", str, file, where)
        if kind not in ORGANISATION_KINDS:
            raise ContentError(file, f"{where}.kind", f"{kind!r} is not one of {', '.join(ORGANISATION_KINDS)}")
        org = _upsert(Organisation, slug, report, "organisations")
        org.name = require(item, "name", str, file, where)
        org.kind = kind
        org.neighbourhood = hood
        org.phone = require(item, "phone", str, file, where, optional=True)
        org.email = require(item, "email", str, file, where, optional=True)
        org.website = require(item, "website", str, file, where, optional=True)
        for key, value in _address(item, file, where).items():
            setattr(org, key, value)
        org.description = _translations(item, "description", file, where)
        org.is_demo = True
        result[slug] = org
    return result


def _load_locations(data, hood, organisations, file, report) -> dict[str, Location]:
    result = {}
    for i, item in enumerate(require(data, "locations", list, file, "file")):
        where = f"locations[{i}]"
        slug = _slug(item, file, where)
        location = _upsert(Location, slug, report, "locations")
        location.name = require(item, "name", str, file, where)
        location.neighbourhood = hood
        org_slug = require(item, "organisation", str, file, where, optional=True)
        if org_slug and org_slug not in organisations:
            raise ContentError(file, f"{where}.organisation", f"no organisation {org_slug!r}")
        location.organisation = organisations.get(org_slug) if org_slug else None
        for key, value in _address(item, file, where).items():
            setattr(location, key, value)
        location.latitude, location.longitude = _coordinates(item, file, where)
        location.wheelchair_accessible = bool(item.get("wheelchair_accessible", False))
        location.accessibility = _translations(item, "accessibility", file, where, optional=True)
        location.is_demo = True
        result[slug] = location
    return result


def _programme_texts(item: dict, file: str, where: str) -> dict[str, dict]:
    texts = require(item, "texts", dict, file, where)
    if "nl" not in texts:
        raise ContentError(file, f"{where}.texts.nl", "the Dutch text is missing")
    result = {}
    for lang, block in texts.items():
        if lang not in LANGUAGES:
            raise ContentError(file, f"{where}.texts.{lang}", "unknown language")
        at = f"{where}.texts.{lang}"
        result[lang] = {
            "title": require(block, "title", str, file, at),
            "summary": require(block, "summary", str, file, at),
            "description": require(block, "description", str, file, at),
            "referral": require(block, "referral", str, file, at, optional=True),
        }
    return result


def _schedule(item: dict, file: str, where: str) -> list[tuple[int, time, int, int]]:
    slots = []
    for j, slot in enumerate(require(item, "schedule", list, file, where)):
        at = f"{where}.schedule[{j}]"
        weekday = require(slot, "weekday", str, file, at)
        if weekday not in WEEKDAYS:
            raise ContentError(file, f"{at}.weekday", f"{weekday!r} is not a day of the week")
        start = require(slot, "start", str, file, at)
        if not _CLOCK.match(start):
            raise ContentError(file, f"{at}.start", f"{start!r} is not a time like '09:30'")
        minutes = require(slot, "minutes", int, file, at)
        capacity = require(slot, "capacity", int, file, at)
        if not 1 <= minutes <= 24 * 60:
            raise ContentError(file, f"{at}.minutes", "must be between 1 and 1440")
        if not 1 <= capacity <= 500:
            raise ContentError(file, f"{at}.capacity", "must be between 1 and 500")
        slots.append((WEEKDAYS.index(weekday), time.fromisoformat(start), minutes, capacity))
    return slots


def _load_programme(item, where, organisations, locations, today, file, report) -> None:
    slug = _slug(item, file, where)
    category = require(item, "category", str, file, where)
    if category not in CATEGORIES:
        raise ContentError(file, f"{where}.category", f"{category!r} is not one of {', '.join(CATEGORIES)}")
    audiences = require(item, "audiences", list, file, where)
    if not audiences or set(audiences) - set(AUDIENCES):
        raise ContentError(file, f"{where}.audiences", f"use one or more of {', '.join(AUDIENCES)}")
    org_slug = require(item, "organisation", str, file, where)
    if org_slug not in organisations:
        raise ContentError(file, f"{where}.organisation", f"no organisation {org_slug!r}")
    loc_slug = require(item, "location", str, file, where)
    if loc_slug not in locations:
        raise ContentError(file, f"{where}.location", f"no location {loc_slug!r}")
    cost = require(item, "cost_cents", int, file, where)
    if cost < 0:
        raise ContentError(file, f"{where}.cost_cents", "must not be negative")
    texts = _programme_texts(item, file, where)
    slots = _schedule(item, file, where)
    contact = require(item, "contact", dict, file, where, optional=True) or {}

    programme = _upsert(Programme, slug, report, "programmes")
    programme.organisation = organisations[org_slug]
    programme.location = locations[loc_slug]
    programme.category = category
    programme.status = "published"
    programme.cost_cents = cost
    programme.referral_required = bool(item.get("referral_required", False))
    programme.contact_name = contact.get("name")
    programme.contact_phone = contact.get("phone")
    programme.contact_email = contact.get("email")
    programme.last_verified_on = today - timedelta(days=int(item.get("verified_days_ago", 0)))
    programme.is_demo = True
    existing_texts = {t.locale: t for t in programme.translations}
    for lang, values in texts.items():
        text = existing_texts.get(lang) or ProgrammeText(locale=lang)
        for key, value in values.items():
            setattr(text, key, value)
        if lang not in existing_texts:
            programme.translations.append(text)
    wanted_audiences = set(audiences)
    programme.audiences = [a for a in programme.audiences if a.audience in wanted_audiences] + [
        ProgrammeAudience(audience=a) for a in sorted(wanted_audiences - {a.audience for a in programme.audiences})
    ]
    wanted_languages = set(item.get("languages") or ["nl"])
    programme.languages = [x for x in programme.languages if x.language in wanted_languages] + [
        ProgrammeLanguage(language=x) for x in sorted(wanted_languages - {x.language for x in programme.languages})
    ]
    db.session.flush()
    _add_sessions(programme, slots, today, report)


def session_times(slots, today: date, weeks: int = SCHEDULE_WEEKS):
    """Yield (start, end, capacity, slot) in UTC for each weekly slot from tomorrow on, for `weeks` weeks."""
    zone = ZoneInfo(TIMEZONE)
    for offset in range(1, weeks * 7 + 1):
        day = today + timedelta(days=offset)
        for slot in slots:
            weekday, start, minutes, capacity = slot
            if day.weekday() == weekday:
                local = datetime.combine(day, start, tzinfo=zone)
                yield local.astimezone(UTC), (local + timedelta(minutes=minutes)).astimezone(UTC), capacity, slot


def series_id(programme: Programme, slot) -> str:
    """The same series id for a weekly slot on every load, so sessions added a day later join their series."""
    weekday, start, _minutes, _capacity = slot
    return uuid.uuid5(uuid.NAMESPACE_URL, f"wijkportaal-demo:{programme.slug}:{weekday}:{start.isoformat()}").hex


def _add_sessions(programme: Programme, slots, today: date, report: DemoReport) -> None:
    times = list(session_times(slots, today))
    if not times:
        return
    existing = set(
        db.session.scalars(
            select(Session.starts_at).where(
                Session.programme_id == programme.id, Session.starts_at >= min(t[0] for t in times)
            )
        )
    )
    for starts_at, ends_at, capacity, slot in times:
        if starts_at not in existing:
            db.session.add(
                Session(
                    programme=programme,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    capacity=capacity,
                    series_id=series_id(programme, slot),
                    is_demo=True,
                )
            )
            report.count("sessions")


def _load_users(path: Path, report: DemoReport) -> None:
    file = path.name
    data = read_yaml(path)
    for i, item in enumerate(require(data, "users", list, file, "file")):
        where = f"users[{i}]"
        email = require(item, "email", str, file, where)
        role = require(item, "role", str, file, where)
        report.users.append((role, email))
        if find_user_by_email(email) is None:
            create_user(
                email,
                DEMO_PASSWORD,
                role,
                display_name=require(item, "display_name", str, file, where),
                organisation_slug=require(item, "organisation", str, file, where, optional=True),
                locale=item.get("locale", "nl"),
                is_demo=True,
            )
            report.count("users")


def load_demo(directory: Path, today: date) -> DemoReport:
    """Load the demo neighbourhood and users from `directory`; commit once; raise ContentError."""
    report = DemoReport()
    path = directory / "overvecht.yaml"
    file = path.name
    try:
        data = read_yaml(path)
        hood = _load_neighbourhood(data, file, report)
        organisations = _load_organisations(data, hood, file, report)
        locations = _load_locations(data, hood, organisations, file, report)
        db.session.flush()
        seen = set()
        for i, item in enumerate(require(data, "programmes", list, file, "file")):
            where = f"programmes[{i}]"
            if _slug(item, file, where) in seen:
                raise ContentError(file, f"{where}.slug", "is used twice")
            seen.add(item["slug"])
            _load_programme(item, where, organisations, locations, today, file, report)
        _load_users(directory / "users.yaml", report)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report

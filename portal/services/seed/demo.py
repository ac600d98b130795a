"""Load the demo neighbourhood from content/demo/*.yaml; a second run adds what is missing and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Location,
    Neighbourhood,
    Organisation,
    Programme,
    ProgrammeAudience,
    ProgrammeLanguage,
    ProgrammeText,
)
from portal.models.neighbourhood import ORGANISATION_KINDS
from portal.models.programme import AUDIENCES, CATEGORIES
from portal.services.accounts.users import create_user, find_user_by_email
from portal.services.content_errors import ContentError, require
from portal.services.routekaarten.content import current_catalogue
from portal.services.seed import demo_care, demo_health_checks, demo_referrals
from portal.services.seed import demo_fields as fields
from portal.services.seed.demo_sessions import add_sessions

DEMO_PASSWORD = "Overvecht-demo-2026"  # noqa: S105  (public demo password, printed by make run)


@dataclass
class DemoReport:
    """What a demo load added; a second run adds nothing that is there already."""

    added: dict[str, int] = field(default_factory=dict)
    users: list[tuple[str, str]] = field(default_factory=list)

    def count(self, what: str, n: int = 1) -> None:
        """Add `n` to the tally of `what`."""
        self.added[what] = self.added.get(what, 0) + n


def _existing_or_new(model, slug: str, report: DemoReport, what: str):
    """The row with this slug and False, or a new one (added to the session) and True."""
    obj = db.session.scalar(select(model).where(model.slug == slug))
    if obj is not None:
        return obj, False
    obj = model(slug=slug)
    db.session.add(obj)
    report.count(what)
    return obj, True


def _load_neighbourhood(data: dict, file: str, report: DemoReport) -> Neighbourhood:
    item = require(data, "neighbourhood", dict, file, "neighbourhood")
    hood, new = _existing_or_new(Neighbourhood, fields.slug(item, file, "neighbourhood"), report, "neighbourhoods")
    if not new:
        return hood
    hood.name = require(item, "name", str, file, "neighbourhood")
    hood.city = require(item, "city", str, file, "neighbourhood")
    hood.latitude, hood.longitude = fields.coordinates(item, file, "neighbourhood")
    hood.zoom = require(item, "zoom", int, file, "neighbourhood")
    hood.is_demo = True
    return hood


def _load_organisations(data: dict, hood: Neighbourhood, file: str, report: DemoReport) -> dict[str, Organisation]:
    result = {}
    for i, item in enumerate(require(data, "organisations", list, file, "file")):
        where = f"organisations[{i}]"
        slug = fields.slug(item, file, where)
        kind = require(item, "kind", str, file, where)
        if kind not in ORGANISATION_KINDS:
            raise ContentError(file, f"{where}.kind", f"{kind!r} is not one of {', '.join(ORGANISATION_KINDS)}")
        org, new = _existing_or_new(Organisation, slug, report, "organisations")
        result[slug] = org
        if not new:
            continue
        org.name = require(item, "name", str, file, where)
        org.kind = kind
        org.neighbourhood = hood
        org.phone = require(item, "phone", str, file, where, optional=True)
        org.email = require(item, "email", str, file, where, optional=True)
        org.website = require(item, "website", str, file, where, optional=True)
        for key, value in fields.address(item, file, where).items():
            setattr(org, key, value)
        org.description = fields.translations(item, "description", file, where)
        org.is_demo = True
    return result


def _load_locations(data, hood, organisations, file, report) -> dict[str, Location]:
    result = {}
    for i, item in enumerate(require(data, "locations", list, file, "file")):
        where = f"locations[{i}]"
        slug = fields.slug(item, file, where)
        location, new = _existing_or_new(Location, slug, report, "locations")
        result[slug] = location
        if not new:
            continue
        location.name = require(item, "name", str, file, where)
        location.neighbourhood = hood
        org_slug = require(item, "organisation", str, file, where, optional=True)
        if org_slug and org_slug not in organisations:
            raise ContentError(file, f"{where}.organisation", f"no organisation {org_slug!r}")
        location.organisation = organisations.get(org_slug) if org_slug else None
        for key, value in fields.address(item, file, where).items():
            setattr(location, key, value)
        location.latitude, location.longitude = fields.coordinates(item, file, where)
        location.wheelchair_accessible = bool(item.get("wheelchair_accessible", False))
        location.accessibility = fields.translations(item, "accessibility", file, where, optional=True)
        location.is_demo = True
    return result


def _add_children(programme: Programme, texts: dict[str, dict], audiences: set[str], languages: set[str]) -> None:
    """Give a new programme the texts, audiences and languages of its file."""
    programme.translations = [ProgrammeText(locale=lang, **values) for lang, values in texts.items()]
    programme.audiences = [ProgrammeAudience(audience=a) for a in sorted(audiences)]
    programme.languages = [ProgrammeLanguage(language=x) for x in sorted(languages)]


def _load_programme(item, where, organisations, locations, today, file, report) -> None:
    slug = fields.slug(item, file, where)
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
    texts = fields.programme_texts(item, file, where)
    slots = fields.schedule(item, file, where)
    require(item, "contact", dict, file, where, optional=True)

    programme, new = _existing_or_new(Programme, slug, report, "programmes")
    if new:
        _fill_programme(programme, item, organisations[org_slug], locations[loc_slug], today)
        _add_children(programme, texts, set(audiences), set(item.get("languages") or ["nl"]))
        db.session.flush()
    if programme.status != "published":
        return
    added = add_sessions(programme, slots, today)
    if added:
        report.count("sessions", added)


def _fill_programme(programme, item, organisation, location, today) -> None:
    """Give a new demo programme the values of its file."""
    contact = item.get("contact") or {}
    programme.organisation = organisation
    programme.location = location
    programme.category = item["category"]
    programme.status = "published"
    programme.cost_cents = item["cost_cents"]
    programme.referral_required = bool(item.get("referral_required", False))
    programme.contact_name = contact.get("name")
    programme.contact_phone = contact.get("phone")
    programme.contact_email = contact.get("email")
    programme.last_verified_on = today - timedelta(days=int(item.get("verified_days_ago", 0)))
    programme.is_demo = True


def _load_users(path: Path, report: DemoReport) -> None:
    file = path.name
    data = fields.read_yaml(path)
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
        data = fields.read_yaml(path)
        hood = _load_neighbourhood(data, file, report)
        organisations = _load_organisations(data, hood, file, report)
        locations = _load_locations(data, hood, organisations, file, report)
        db.session.flush()
        seen = set()
        for i, item in enumerate(require(data, "programmes", list, file, "file")):
            where = f"programmes[{i}]"
            if fields.slug(item, file, where) in seen:
                raise ContentError(file, f"{where}.slug", "is used twice")
            seen.add(item["slug"])
            _load_programme(item, where, organisations, locations, today, file, report)
        _load_users(directory / "users.yaml", report)
        db.session.flush()
        care = demo_care.load_care(directory / "care.yaml")
        if care:
            report.count("care relations", care)
        referrals = demo_referrals.load_referrals(directory / "referrals.yaml", current_catalogue())
        if referrals:
            report.count("referrals", referrals)
        health_checks = demo_health_checks.load_health_checks(directory / "health_checks.yaml")
        if health_checks:
            report.count("residents with health checks", health_checks)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report

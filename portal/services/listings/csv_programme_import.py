"""All-or-nothing CSV import of one organisation's programmes, each change in the programme's history."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from babel import Locale
from flask_babel import LazyString

from portal.config import LANGUAGES
from portal.extensions import db
from portal.models import (
    Location,
    Organisation,
    Programme,
    ProgrammeAudience,
    ProgrammeLanguage,
    ProgrammeText,
    User,
)
from portal.models.programme import AUDIENCES, CATEGORIES, PROGRAMME_STATUSES
from portal.services.accounts.users import EMAIL_PATTERN
from portal.services.listings import editing
from portal.services.listings.csv_format import (
    MAX_LENGTHS,
    PROGRAMME_COLUMNS,
    PROGRAMME_REQUIRED,
    TEXT_FIELDS,
    ImportReport,
    not_allowed,
    short,
)
from portal.services.listings.csv_lookups import foreign_slugs, locations_by_slug, own_programmes
from portal.services.listings.csv_reading import Row, read_rows
from portal.services.slugs import SLUG_PATTERN
from portal.translation import lazy_gettext as _l

MAX_COST_CENTS = 100_000
_YES = frozenset({"ja", "yes", "true", "1"})
_NO = frozenset({"nee", "no", "false", "0"})
_SPOKEN_LANGUAGES = frozenset(code for code in Locale("en").languages if re.fullmatch(r"[a-z]{2,3}", code))

MSG_EMAIL = _l("Please fill in an email address like name@example.nl.")
MSG_FOREIGN_SLUG = _l("Another organisation already uses this slug. Please choose another one.")
MSG_LANGUAGE_PAIR = _l("Give a title and a summary in this language, or leave this language empty.")


def _unknown_language(value: str) -> LazyString:
    return _l("'%(value)s' is not a known language code. Use codes like nl, en, tr, ar.", value=short(value))


def _no_location(value: str) -> LazyString:
    return _l("There is no location '%(value)s' for your organisation.", value=short(value))


@dataclass
class _ProgrammeValues:
    row: Row
    slug: str
    values: dict[str, object] = field(default_factory=dict)
    texts: dict[str, dict[str, str] | None] = field(default_factory=dict)
    audiences: set[str] | None = None
    languages: set[str] | None = None
    location_slug: str | None = None


def _programme_texts(row: Row, values: _ProgrammeValues) -> None:
    for lang in LANGUAGES:
        if not row.has(f"title_{lang}"):
            continue
        texts = {
            name: row.text(f"{name}_{lang}", name, required=lang == "nl" and name != "description")
            for name in TEXT_FIELDS
            if row.has(f"{name}_{lang}")
        }
        if lang != "nl" and any(texts.values()):
            for name in ("title", "summary"):
                if not texts[name]:
                    row.problem(f"{name}_{lang}", MSG_LANGUAGE_PAIR)
        values.texts[lang] = texts if any(texts.values()) else None


def _parse_programme(row: Row) -> _ProgrammeValues:
    values = _ProgrammeValues(row, row.slug("slug"))
    values.values["status"] = row.choice("status", PROGRAMME_STATUSES)
    values.values["category"] = row.choice("category", CATEGORIES)
    if row.has("audiences"):
        values.audiences = row.codes("audiences", AUDIENCES, lambda v: not_allowed(v, AUDIENCES))
    if row.has("languages"):
        values.languages = row.codes("languages", _SPOKEN_LANGUAGES, _unknown_language)
    if row.has("cost_cents"):
        values.values["cost_cents"] = row.whole("cost_cents", 0, MAX_COST_CENTS)
    if row.has("referral_required"):
        answer = row.get("referral_required").strip().lower()
        if answer not in _YES | _NO:
            row.problem("referral_required", not_allowed(answer, ("ja", "nee")))
        values.values["referral_required"] = answer in _YES
    for name in ("contact_name", "contact_phone", "contact_email"):
        if row.has(name):
            values.values[name] = row.text(name, name) or None
    email = values.values.get("contact_email")
    if isinstance(email, str) and len(email) <= MAX_LENGTHS["contact_email"] and not EMAIL_PATTERN.match(email):
        row.problem("contact_email", MSG_EMAIL)
    if row.has("location_slug"):
        values.location_slug = row.get("location_slug").strip()
    _programme_texts(row, values)
    return values


def _may_use(organisation: Organisation, location: Location, current: Programme | None) -> bool:
    """Its own and shared locations (as editing.usable_locations), and the one the programme has now."""
    if location.organisation_id in (organisation.id, None):
        return True
    return current is not None and current.location_id == location.id


def _check_programmes(organisation: Organisation, parsed: list[_ProgrammeValues], own: dict[str, Programme]):
    first_line: dict[str, int] = {}
    for values in parsed:
        if not SLUG_PATTERN.match(values.slug) or len(values.slug) > MAX_LENGTHS["slug"]:
            continue
        if values.slug in first_line:
            message = _l(
                "The slug '%(value)s' is also on line %(line)s.", value=values.slug, line=first_line[values.slug]
            )
            values.row.problem("slug", message)
        else:
            first_line[values.slug] = values.row.line
    foreign = foreign_slugs(organisation, [slug for slug in first_line if slug not in own])
    wanted = sorted({v.location_slug for v in parsed if v.location_slug and SLUG_PATTERN.match(v.location_slug)})
    locations = locations_by_slug(wanted)
    for values in parsed:
        if values.slug in foreign:
            values.row.problem("slug", MSG_FOREIGN_SLUG)
        if values.location_slug:
            location = locations.get(values.location_slug)
            if location is None or not _may_use(organisation, location, own.get(values.slug)):
                values.row.problem("location_slug", _no_location(values.location_slug))
    return locations


def _set_codes(current: list, wanted: set[str], attribute: str, model) -> list:
    """Keep the rows still wanted and add the new ones, so no primary key is deleted and inserted in one flush."""
    kept = [item for item in current if getattr(item, attribute) in wanted]
    have = {getattr(item, attribute) for item in kept}
    return kept + [model(**{attribute: code}) for code in sorted(wanted - have)]


def _apply_programme(programme: Programme, values: _ProgrammeValues, locations: dict[str, Location]) -> None:
    for name, value in values.values.items():
        setattr(programme, name, value)
    if values.location_slug is not None:
        programme.location = locations[values.location_slug] if values.location_slug else None
    if values.audiences is not None:
        programme.audiences = _set_codes(programme.audiences, values.audiences, "audience", ProgrammeAudience)
    if values.languages is not None:
        programme.languages = _set_codes(programme.languages, values.languages, "language", ProgrammeLanguage)
    existing = {text.locale: text for text in programme.translations}
    for lang, texts in values.texts.items():
        if texts is None:
            if lang in existing:
                programme.translations.remove(existing[lang])
            continue
        text = existing.get(lang)
        if text is None:
            text = ProgrammeText(locale=lang, description="")
            programme.translations.append(text)
        for name, value in texts.items():
            setattr(text, name, value)


def _programme_required(names: set[str]) -> set[str]:
    """The required columns, plus title and summary of each language that has any column in the header."""
    extra = {
        f"{name}_{lang}"
        for lang in LANGUAGES
        if any(f"{field_name}_{lang}" in names for field_name in TEXT_FIELDS)
        for name in ("title", "summary")
    }
    return set(PROGRAMME_REQUIRED) | extra


def import_programmes(organisation: Organisation, data: bytes, *, today: date, user: User) -> ImportReport:
    """Create or update the organisation's programmes from a CSV upload, all or nothing, in each programme's
    history; flush, do not commit."""
    report = ImportReport()
    rows = read_rows(data, _programme_required, PROGRAMME_COLUMNS, report.problems)
    if rows is None:
        return report
    parsed = [_parse_programme(row) for row in rows]
    own = own_programmes(organisation, details=True)
    locations = _check_programmes(organisation, parsed, own)
    if report.problems:
        return report
    for values in parsed:
        programme = own.get(values.slug)
        if programme is None:
            programme = Programme(
                slug=values.slug, organisation=organisation, cost_cents=0, referral_required=False, is_demo=False
            )
            db.session.add(programme)
            _apply_programme(programme, values, locations)
            db.session.flush()
            editing.record(programme, user, "created", "", programme.slug)
            report.created += 1
        else:
            before = editing.snapshot(programme)
            _apply_programme(programme, values, locations)
            editing.record_differences(programme, user, before)
            report.updated += 1
        programme.last_verified_on = today
    db.session.flush()
    return report

"""CSV export and all-or-nothing import of one organisation's programmes and sessions."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.config import LANGUAGES, TIMEZONE
from portal.extensions import db
from portal.models import (
    Location,
    Organisation,
    Programme,
    ProgrammeAudience,
    ProgrammeLanguage,
    ProgrammeText,
    Session,
    User,
)
from portal.models.programme import AUDIENCES, CATEGORIES, PROGRAMME_STATUSES, SESSION_STATUSES
from portal.services.accounts.users import EMAIL_PATTERN
from portal.services.audit import spreadsheet_safe
from portal.services.booking.places import for_change
from portal.services.listings import editing, session_planning
from portal.services.slugs import SLUG_PATTERN

TEXT_FIELDS = ("title", "summary", "description")
PROGRAMME_COLUMNS = (
    "slug",
    "status",
    "category",
    "audiences",
    "languages",
    "cost_cents",
    "referral_required",
    "contact_name",
    "contact_phone",
    "contact_email",
    "location_slug",
    *(f"{name}_{lang}" for lang in LANGUAGES for name in TEXT_FIELDS),
)
PROGRAMME_REQUIRED = frozenset({"slug", "status", "category", "title_nl", "summary_nl"})
SESSION_COLUMNS = ("programme_slug", "starts_at", "ends_at", "capacity", "status")
SESSION_REQUIRED = frozenset({"programme_slug", "starts_at", "ends_at", "capacity"})

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_COST_CENTS = 100_000
MIN_CAPACITY, MAX_CAPACITY = 1, 500
MAX_LENGTHS = {
    "slug": 80,
    "title": 160,
    "summary": 300,
    "description": 20_000,
    "contact_name": 120,
    "contact_phone": 40,
    "contact_email": 254,
}
LOCAL_FORMAT = "%Y-%m-%d %H:%M"

_ZONE = ZoneInfo(TIMEZONE)
_WHOLE = re.compile(r"^[0-9]{1,9}$")
_LOCAL_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$")
_CODES = re.compile(r"[\s,;]+")
# A cell the export neutralised: apostrophes before a character a spreadsheet would start a formula with.
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")
_YES = frozenset({"ja", "yes", "true", "1"})
_NO = frozenset({"nee", "no", "false", "0"})
_SPOKEN_LANGUAGES = frozenset(code for code in Locale("en").languages if re.fullmatch(r"[a-z]{2,3}", code))
_IN_CHUNK = 500

MSG_NOT_UTF8 = _l("The file is not UTF-8 text. In Excel choose 'CSV UTF-8'.")
MSG_TOO_LARGE = _l("The file is larger than 2 MB. Please split it into smaller files.")
MSG_TOO_MANY_ROWS = _l("The file has more than %(max)s rows. Please split it into smaller files.", max=MAX_ROWS)
MSG_EMPTY = _l("The file is empty.")
MSG_DELIMITER = _l("Separate the columns with commas or semicolons.")
MSG_UNREADABLE = _l("This line could not be read. Check the quotation marks and the length of the texts.")
MSG_EXTRA_CELLS = _l("This line has more cells than there are columns.")
MSG_REQUIRED = _l("Please fill in this field.")
MSG_CONTROL = _l("Please use only normal letters, numbers and punctuation.")
MSG_EMAIL = _l("Please fill in an email address like name@example.nl.")
MSG_SLUG = _l("Use only lowercase letters, digits and hyphens, like 'walking-group'.")
MSG_FOREIGN_SLUG = _l("Another organisation already uses this slug. Please choose another one.")
MSG_LANGUAGE_PAIR = _l("Give a title and a summary in this language, or leave this language empty.")
MSG_END_BEFORE_START = _l("The end must be after the start.")
MSG_IN_THE_PAST = _l("This session starts in the past. You can only add sessions in the future.")
MSG_CLOCK_CHANGE = _l("This time does not exist in the Netherlands, because the clocks change.")
MSG_DATE = _l("Write the date and time like 2026-03-05 19:30 (YYYY-MM-DD HH:MM).")


def _too_long(limit: int) -> LazyString:
    return _l("Please use at most %(max)d characters.", max=limit)


def _not_allowed(value: str, choices: Iterable[str]) -> LazyString:
    return _l(
        "'%(value)s' is not allowed here. Use one of: %(choices)s.", value=_short(value), choices=", ".join(choices)
    )


def _unknown_language(value: str) -> LazyString:
    return _l("'%(value)s' is not a known language code. Use codes like nl, en, tr, ar.", value=_short(value))


def _whole_number(low: int, high: int) -> LazyString:
    return _l("Fill in a whole number from %(min)s to %(max)s.", min=low, max=high)


def _no_location(value: str) -> LazyString:
    return _l("There is no location '%(value)s' for your organisation.", value=_short(value))


def _no_programme(value: str) -> LazyString:
    return _l("There is no programme '%(value)s' in your organisation.", value=_short(value))


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an uploaded file: its line (1 is the header, 0 the whole file), column and message."""

    line: int
    field: str
    message: LazyString


@dataclass
class ImportReport:
    """The outcome of an import: its problems, or how many rows were created and updated."""

    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    # existing sessions the file cancelled, changed, or gave another end time: their bookings follow
    cancelled: list[Session] = field(default_factory=list)
    changed: list[Session] = field(default_factory=list)
    moved: list[Session] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file had no problems and its changes were applied."""
        return not self.problems


# --- export -------------------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """`value` through spreadsheet_safe; a text that already looks neutralised gets one more apostrophe."""
    safe = spreadsheet_safe(value)
    if _NEUTRALISED.match(safe) and safe == ("" if value is None else str(value)):
        return "'" + safe
    return safe


def _csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(_cell(value) for value in row)
    return "\ufeff" + buffer.getvalue()


def _local(moment: datetime) -> str:
    return moment.astimezone(_ZONE).strftime(LOCAL_FORMAT)


def _programme_row(programme: Programme) -> list[object]:
    texts = {text.locale: text for text in programme.translations}
    row: list[object] = [
        programme.slug,
        programme.status,
        programme.category,
        " ".join(sorted(a.audience for a in programme.audiences)),
        " ".join(sorted(x.language for x in programme.languages)),
        programme.cost_cents,
        "ja" if programme.referral_required else "nee",
        programme.contact_name,
        programme.contact_phone,
        programme.contact_email,
        programme.location.slug if programme.location is not None else "",
    ]
    for lang in LANGUAGES:
        text = texts.get(lang)
        row.extend(getattr(text, name) if text is not None else "" for name in TEXT_FIELDS)
    return row


def export_programmes(organisation: Organisation) -> str:
    """The organisation's programmes as CSV (UTF-8 BOM, one row each, by slug), safe to open in a spreadsheet."""
    programmes = db.session.scalars(
        select(Programme)
        .where(Programme.organisation_id == organisation.id)
        .options(
            selectinload(Programme.translations),
            selectinload(Programme.audiences),
            selectinload(Programme.languages),
            selectinload(Programme.location),
        )
        .order_by(Programme.slug)
    )
    return _csv(PROGRAMME_COLUMNS, (_programme_row(p) for p in programmes))


def export_sessions(organisation: Organisation) -> str:
    """The sessions of the organisation's programmes as CSV, in local time (YYYY-MM-DD HH:MM)."""
    rows = db.session.execute(
        select(Session, Programme.slug)
        .join(Session.programme)
        .where(Programme.organisation_id == organisation.id)
        .order_by(Programme.slug, Session.starts_at, Session.id)
    )
    return _csv(
        SESSION_COLUMNS,
        (
            (slug, _local(session.starts_at), _local(session.ends_at), session.capacity, session.status)
            for session, slug in rows
        ),
    )


# --- reading a file -----------------------------------------------------------------------------------------


def _unescape(cell: str) -> str:
    """Undo the export's neutralising apostrophe."""
    return cell[1:] if _NEUTRALISED.match(cell) else cell


@dataclass
class _Row:
    line: int
    cells: dict[str, str]
    problems: list[Problem]

    def has(self, name: str) -> bool:
        return name in self.cells

    def get(self, name: str) -> str:
        return self.cells.get(name, "")

    def problem(self, name: str, message: LazyString) -> None:
        self.problems.append(Problem(self.line, name, message))


def _header_problems(names: list[str], required: set[str], allowed: tuple[str, ...]) -> list[LazyString]:
    messages = []
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        messages.append(_l("These columns appear more than once: %(columns)s.", columns=", ".join(twice)))
    missing = sorted(required - set(names))
    if missing:
        messages.append(_l("These columns are missing: %(columns)s.", columns=", ".join(missing)))
    unknown = [_short(name, 30) for name in dict.fromkeys(names) if name not in allowed]
    if unknown:
        messages.append(_l("These columns are unknown: %(columns)s.", columns=", ".join(unknown[:10])))
    return messages


def _read_rows(
    data: bytes, required: Callable[[set[str]], set[str]], allowed: tuple[str, ...], problems: list[Problem]
) -> list[_Row] | None:
    """The non-empty data rows of a CSV upload, or None after adding the problems that stop reading it."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_BYTES:
        problems.append(Problem(0, "file", MSG_TOO_LARGE))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(0, "file", MSG_NOT_UTF8))
        return None
    if not text.strip():
        problems.append(Problem(0, "file", MSG_EMPTY))
        return None
    header_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    commas, semicolons = header_line.count(","), header_line.count(";")
    if not commas and not semicolons:
        problems.append(Problem(1, "header", MSG_DELIMITER))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if semicolons > commas else ",")
    rows: list[_Row] = []
    line = 0
    try:
        header = [name.strip().lower() for name in next(reader)]
        line = 1
        named = [(i, name) for i, name in enumerate(header) if name]
        names = [name for _, name in named]
        messages = _header_problems(names, required(set(names)), allowed)
        if messages:
            problems.extend(Problem(1, "header", message) for message in messages)
            return None
        for line, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) == MAX_ROWS:
                problems.append(Problem(0, "file", MSG_TOO_MANY_ROWS))
                return None
            row = _Row(line, {name: _unescape(record[i]) if i < len(record) else "" for i, name in named}, problems)
            if any(cell.strip() for cell in record[len(header) :]):
                row.problem("row", MSG_EXTRA_CELLS)
            rows.append(row)
    except csv.Error:
        problems.append(Problem(line + 1, "row", MSG_UNREADABLE))
        return None
    return rows


# --- checking cells -----------------------------------------------------------------------------------------


def _has_control(value: str, *, multiline: bool) -> bool:
    allowed = "\t\n\r" if multiline else ""
    return any((ord(ch) < 32 or ord(ch) == 127) and ch not in allowed for ch in value)


def _text(row: _Row, name: str, kind: str, *, required: bool = False) -> str:
    """A trimmed text cell checked for presence, length and control characters (descriptions may span lines)."""
    multiline = kind == "description"
    value = row.get(name).strip()
    if required and not value:
        row.problem(name, MSG_REQUIRED)
    elif len(value) > MAX_LENGTHS[kind]:
        row.problem(name, _too_long(MAX_LENGTHS[kind]))
    elif _has_control(value, multiline=multiline):
        row.problem(name, MSG_CONTROL)
    return value


def _choice(row: _Row, name: str, choices: tuple[str, ...], *, required: bool = True) -> str | None:
    value = row.get(name).strip().lower()
    if not value:
        if required:
            row.problem(name, MSG_REQUIRED)
        return None
    if value not in choices:
        row.problem(name, _not_allowed(value, choices))
        return None
    return value


def _codes(row: _Row, name: str, known, message) -> set[str]:
    codes = {code for code in _CODES.split(row.get(name).strip().lower()) if code}
    unknown = sorted(codes - set(known))
    if unknown:
        row.problem(name, message(" ".join(unknown)))
    return codes & set(known)


def _whole(row: _Row, name: str, low: int, high: int) -> int | None:
    value = row.get(name).strip()
    if not _WHOLE.match(value) or not low <= int(value) <= high:
        row.problem(name, _whole_number(low, high))
        return None
    return int(value)


def _slug(row: _Row, name: str) -> str:
    value = row.get(name).strip()
    if not value:
        row.problem(name, MSG_REQUIRED)
    elif len(value) > MAX_LENGTHS["slug"]:
        row.problem(name, _too_long(MAX_LENGTHS["slug"]))
    elif not SLUG_PATTERN.match(value):
        row.problem(name, MSG_SLUG)
    return value


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


# --- programmes ---------------------------------------------------------------------------------------------


@dataclass
class _ProgrammeValues:
    row: _Row
    slug: str
    values: dict[str, object] = field(default_factory=dict)
    texts: dict[str, dict[str, str] | None] = field(default_factory=dict)
    audiences: set[str] | None = None
    languages: set[str] | None = None
    location_slug: str | None = None


def _programme_texts(row: _Row, values: _ProgrammeValues) -> None:
    for lang in LANGUAGES:
        if not row.has(f"title_{lang}"):
            continue
        texts = {
            name: _text(row, f"{name}_{lang}", name, required=lang == "nl" and name != "description")
            for name in TEXT_FIELDS
            if row.has(f"{name}_{lang}")
        }
        if lang != "nl" and any(texts.values()):
            for name in ("title", "summary"):
                if not texts[name]:
                    row.problem(f"{name}_{lang}", MSG_LANGUAGE_PAIR)
        values.texts[lang] = texts if any(texts.values()) else None


def _parse_programme(row: _Row) -> _ProgrammeValues:
    values = _ProgrammeValues(row, _slug(row, "slug"))
    values.values["status"] = _choice(row, "status", PROGRAMME_STATUSES)
    values.values["category"] = _choice(row, "category", CATEGORIES)
    if row.has("audiences"):
        values.audiences = _codes(row, "audiences", AUDIENCES, lambda v: _not_allowed(v, AUDIENCES))
    if row.has("languages"):
        values.languages = _codes(row, "languages", _SPOKEN_LANGUAGES, _unknown_language)
    if row.has("cost_cents"):
        values.values["cost_cents"] = _whole(row, "cost_cents", 0, MAX_COST_CENTS)
    if row.has("referral_required"):
        answer = row.get("referral_required").strip().lower()
        if answer not in _YES | _NO:
            row.problem("referral_required", _not_allowed(answer, ("ja", "nee")))
        values.values["referral_required"] = answer in _YES
    for name in ("contact_name", "contact_phone", "contact_email"):
        if row.has(name):
            values.values[name] = _text(row, name, name) or None
    email = values.values.get("contact_email")
    if isinstance(email, str) and len(email) <= MAX_LENGTHS["contact_email"] and not EMAIL_PATTERN.match(email):
        row.problem("contact_email", MSG_EMAIL)
    if row.has("location_slug"):
        values.location_slug = row.get("location_slug").strip()
    _programme_texts(row, values)
    return values


def _foreign_slugs(organisation: Organisation, slugs: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(slugs):
        found.update(
            db.session.scalars(
                select(Programme.slug).where(Programme.slug.in_(chunk), Programme.organisation_id != organisation.id)
            )
        )
    return found


def _locations(slugs: list[str]) -> dict[str, Location]:
    found: dict[str, Location] = {}
    for chunk in _chunks(slugs):
        found.update((loc.slug, loc) for loc in db.session.scalars(select(Location).where(Location.slug.in_(chunk))))
    return found


def _may_use(organisation: Organisation, location: Location, current: Programme | None) -> bool:
    """Its own and shared locations (as editing.usable_locations), and the one the programme has now."""
    if location.organisation_id in (organisation.id, None):
        return True
    return current is not None and current.location_id == location.id


def _own_programmes(organisation: Organisation, *, details: bool) -> dict[str, Programme]:
    query = select(Programme).where(Programme.organisation_id == organisation.id)
    if details:
        query = query.options(
            selectinload(Programme.translations), selectinload(Programme.audiences), selectinload(Programme.languages)
        )
    return {programme.slug: programme for programme in db.session.scalars(query)}


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
    foreign = _foreign_slugs(organisation, [slug for slug in first_line if slug not in own])
    wanted = sorted({v.location_slug for v in parsed if v.location_slug and SLUG_PATTERN.match(v.location_slug)})
    locations = _locations(wanted)
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
    rows = _read_rows(data, _programme_required, PROGRAMME_COLUMNS, report.problems)
    if rows is None:
        return report
    parsed = [_parse_programme(row) for row in rows]
    own = _own_programmes(organisation, details=True)
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


# --- sessions -----------------------------------------------------------------------------------------------


def _moment(row: _Row, name: str) -> datetime | None:
    """A local 'YYYY-MM-DD HH:MM' cell as an aware UTC datetime."""
    value = row.get(name).strip()
    try:
        if not _LOCAL_TIME.match(value):
            raise ValueError(value)
        naive = datetime.strptime(value, LOCAL_FORMAT)
        moment = naive.replace(tzinfo=_ZONE).astimezone(UTC)
        if moment.astimezone(_ZONE).replace(tzinfo=None) != naive:
            row.problem(name, MSG_CLOCK_CHANGE)
            return None
    except (ValueError, OverflowError):
        row.problem(name, MSG_DATE)
        return None
    return moment


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


@dataclass
class _SessionValues:
    row: _Row
    programme: Programme | None
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int | None
    status: str | None


def _parse_session(row: _Row, programmes: dict[str, Programme]) -> _SessionValues:
    slug = row.get("programme_slug").strip()
    programme = programmes.get(slug)
    if not slug:
        row.problem("programme_slug", MSG_REQUIRED)
    elif programme is None:
        row.problem("programme_slug", _no_programme(slug))
    starts_at, ends_at = _moment(row, "starts_at"), _moment(row, "ends_at")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        row.problem("ends_at", MSG_END_BEFORE_START)
    capacity = _whole(row, "capacity", MIN_CAPACITY, MAX_CAPACITY)
    status = _choice(row, "status", SESSION_STATUSES, required=False)
    return _SessionValues(row, programme, starts_at, ends_at, capacity, status)


def _existing_sessions(parsed: list[_SessionValues]) -> dict[tuple[int, datetime], Session]:
    """The stored sessions the rows could match, by programme and start minute; held until commit."""
    keyed = [v for v in parsed if v.programme is not None and v.starts_at is not None]
    if not keyed:
        return {}
    ids = sorted({v.programme.id for v in keyed})
    earliest = min(v.starts_at for v in keyed)
    latest = max(v.starts_at for v in keyed).replace(second=59, microsecond=999_999)
    found: dict[tuple[int, datetime], Session] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        sessions = db.session.scalars(
            for_change(
                select(Session)
                .where(
                    Session.programme_id.in_(ids[start : start + _IN_CHUNK]),
                    Session.starts_at >= earliest,
                    Session.starts_at <= latest,
                )
                .order_by(Session.id)
            )
        )
        for session in sessions:
            found.setdefault((session.programme_id, _minute(session.starts_at)), session)
    return found


def import_sessions(organisation: Organisation, data: bytes, *, now: datetime, user: User) -> ImportReport:
    """Add or update sessions of the organisation's programmes from a CSV upload, all or nothing, in each
    programme's history; flush only. The report lists the sessions whose bookings must follow."""
    report = ImportReport()
    rows = _read_rows(data, lambda names: set(SESSION_REQUIRED), SESSION_COLUMNS, report.problems)
    if rows is None:
        return report
    programmes = _own_programmes(organisation, details=False)
    parsed = [_parse_session(row, programmes) for row in rows]
    existing = _existing_sessions(parsed)
    first_line: dict[tuple[int, datetime], int] = {}
    matches: dict[int, Session] = {}
    for values in parsed:
        if values.programme is None or values.starts_at is None:
            continue
        key = (values.programme.id, values.starts_at)
        if key in first_line:
            values.row.problem("starts_at", _l("This session is also on line %(line)s.", line=first_line[key]))
            continue
        first_line[key] = values.row.line
        session = existing.get(key)
        if session is None:
            if values.starts_at < now:
                values.row.problem("starts_at", MSG_IN_THE_PAST)
        else:
            matches[values.row.line] = session
            if values.capacity is not None and values.capacity < session.booked:
                message = _l(
                    "%(booked)s places are booked already. The capacity must be at least that.", booked=session.booked
                )
                values.row.problem("capacity", message)
    if report.problems:
        return report
    for values in parsed:
        session = matches.get(values.row.line)
        if session is None:
            db.session.add(
                Session(
                    programme=values.programme,
                    starts_at=values.starts_at,
                    ends_at=values.ends_at,
                    capacity=values.capacity,
                    status=values.status or "scheduled",
                    booked=0,
                    is_demo=False,
                )
            )
            report.created += 1
            continue
        before = session_planning.describe(session)
        ends_at = session.ends_at if _minute(session.ends_at) == values.ends_at else values.ends_at
        if values.capacity > session.capacity:
            report.changed.append(session)
        if session_planning.apply_change(session, session.starts_at, ends_at, values.capacity, user):
            report.moved.append(session)
        if values.status is not None and values.status != session.status:
            editing.record(session.programme, user, "session.status", before, values.status)
            session.status = values.status
            if values.status == "cancelled":
                report.cancelled.append(session)
        report.updated += 1
    for programme, count in Counter(v.programme for v in parsed if v.row.line not in matches).items():
        editing.record(programme, user, "sessions.imported", "", str(count))
    db.session.flush()
    return report

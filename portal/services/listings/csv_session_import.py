"""All-or-nothing CSV import of the sessions of one organisation's programmes: new ones, changed and cancelled."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from flask_babel import LazyString

from portal.extensions import db
from portal.models import Organisation, Programme, Session, User
from portal.models.programme import SESSION_STATUSES
from portal.services.listings import editing, session_planning
from portal.services.listings.csv_format import (
    MSG_REQUIRED,
    SESSION_COLUMNS,
    SESSION_REQUIRED,
    ImportReport,
    short,
)
from portal.services.listings.csv_lookups import own_programmes, sessions_starting
from portal.services.listings.csv_reading import Row, read_rows
from portal.translation import lazy_gettext as _l

MSG_END_BEFORE_START = _l("The end must be after the start.")
MSG_IN_THE_PAST = _l("This session starts in the past. You can only add sessions in the future.")


def _no_programme(value: str) -> LazyString:
    return _l("There is no programme '%(value)s' in your organisation.", value=short(value))


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


@dataclass
class _SessionValues:
    row: Row
    programme: Programme | None
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int | None
    status: str | None


def _parse_session(row: Row, programmes: dict[str, Programme]) -> _SessionValues:
    slug = row.get("programme_slug").strip()
    programme = programmes.get(slug)
    if not slug:
        row.problem("programme_slug", MSG_REQUIRED)
    elif programme is None:
        row.problem("programme_slug", _no_programme(slug))
    starts_at, ends_at = row.moment("starts_at"), row.moment("ends_at")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        row.problem("ends_at", MSG_END_BEFORE_START)
    capacity = row.whole("capacity", session_planning.MIN_CAPACITY, session_planning.MAX_CAPACITY)
    status = row.choice("status", SESSION_STATUSES, required=False)
    return _SessionValues(row, programme, starts_at, ends_at, capacity, status)


def _stored_sessions(parsed: list[_SessionValues]) -> dict[tuple[int, datetime], Session]:
    """The stored sessions the rows could match, by programme and start minute; held until commit."""
    keyed = [v for v in parsed if v.programme is not None and v.starts_at is not None]
    if not keyed:
        return {}
    ids = sorted({v.programme.id for v in keyed})
    earliest = min(v.starts_at for v in keyed)
    latest = max(v.starts_at for v in keyed).replace(second=59, microsecond=999_999)
    found: dict[tuple[int, datetime], Session] = {}
    for session in sessions_starting(ids, earliest, latest):
        found.setdefault((session.programme_id, _minute(session.starts_at)), session)
    return found


def _match_rows(
    parsed: list[_SessionValues], stored: dict[tuple[int, datetime], Session], now: datetime
) -> dict[int, Session]:
    """The stored session each row changes, by line; notes a session twice in the file, a new one in the
    past, and fewer places than are booked."""
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
        session = stored.get(key)
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
    return matches


def _new_session(values: _SessionValues) -> Session:
    return Session(
        programme=values.programme,
        starts_at=values.starts_at,
        ends_at=values.ends_at,
        capacity=values.capacity,
        status=values.status or "scheduled",
        booked=0,
        is_demo=False,
    )


def _update_session(session: Session, values: _SessionValues, user: User, report: ImportReport) -> None:
    """Give a stored session the row's end, places and status, in the history; the report lists whose
    bookings must follow."""
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


def import_sessions(organisation: Organisation, data: bytes, *, now: datetime, user: User) -> ImportReport:
    """Add or update sessions of the organisation's programmes from a CSV upload, all or nothing, in each
    programme's history; flush only. The report lists the sessions whose bookings must follow."""
    report = ImportReport()
    rows = read_rows(data, lambda names: set(SESSION_REQUIRED), SESSION_COLUMNS, report.problems)
    if rows is None:
        return report
    programmes = own_programmes(organisation, details=False)
    parsed = [_parse_session(row, programmes) for row in rows]
    matches = _match_rows(parsed, _stored_sessions(parsed), now)
    if report.problems:
        return report
    for values in parsed:
        session = matches.get(values.row.line)
        if session is None:
            db.session.add(_new_session(values))
            report.created += 1
        else:
            _update_session(session, values, user, report)
            report.updated += 1
    for programme, count in Counter(v.programme for v in parsed if v.row.line not in matches).items():
        editing.record(programme, user, "sessions.imported", "", str(count))
    db.session.flush()
    return report

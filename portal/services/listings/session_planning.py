"""Planning sessions of a programme: one-off or weekly series; changing or cancelling one or the rest of a series."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.config import TIMEZONE
from portal.extensions import db
from portal.models import Programme, Session, User
from portal.models.base import utcnow
from portal.services.booking.places import for_change, lock_session
from portal.services.listings.editing import record
from portal.services.listings.public_holidays import public_holidays_among

LOCAL = ZoneInfo(TIMEZONE)
MIN_CAPACITY, MAX_CAPACITY = 1, 500
MAX_WEEKS = 52


class PlanningError(ValueError):
    """Raised when sessions cannot be planned or changed as asked; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SessionPlan:
    """A one-off session (weeks=1) or a series every week or every `every_weeks` weeks, in local time.

    With `until`, each day gets back-to-back sessions from `start` to `until`: appointment slots, such as
    a Beweegconsult of 30 minutes from 9:00 to 12:00 (six slots of capacity 1). Dutch public holidays are
    skipped unless `on_holidays`."""

    first_day: date
    start: time
    duration_minutes: int
    capacity: int
    weeks: int = 1
    skip: frozenset[date] = frozenset()
    until: time | None = None
    on_holidays: bool = False
    every_weeks: int = 1


MAX_SLOTS_PER_DAY = 48


def _starts_on(day: date, plan: SessionPlan) -> list[datetime]:
    """The local start times of one day of the plan: one, or back-to-back slots until `until`."""
    first = local_moment(day, plan.start)
    if plan.until is None:
        return [first]
    if plan.until <= plan.start:
        raise PlanningError("end_before_start")
    last_end = local_moment(day, plan.until)
    step = timedelta(minutes=plan.duration_minutes)
    count = int((last_end - first) / step)
    if count < 1:
        raise PlanningError("window")
    if count > MAX_SLOTS_PER_DAY:
        raise PlanningError("too_many_slots")
    return [first + step * number for number in range(count)]


def local_today() -> date:
    """Today's date in the portal's time zone."""
    return datetime.now(LOCAL).date()


def local_moment(day: date, at: time) -> datetime:
    """A local wall-clock time as an aware datetime (Europe/Amsterdam, summer or winter time)."""
    return datetime.combine(day, at, tzinfo=LOCAL)


def describe(session: Session) -> str:
    """A session as the change history shows it: local date, times and places ("2026-12-01 10:00-11:00, 12")."""
    start, end = session.starts_at.astimezone(LOCAL), session.ends_at.astimezone(LOCAL)
    return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}, {session.capacity}"


def _check_capacity(capacity: int, booked: int = 0) -> None:
    if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        raise PlanningError("capacity")
    if capacity < booked:
        raise PlanningError("capacity_below_booked")


def plan(programme: Programme, plan: SessionPlan, user: User, now: datetime | None = None) -> list[Session]:
    """Add the sessions of a plan, and say so in the history; skipped dates are left out. Raises PlanningError."""
    now = now or utcnow()
    _check_capacity(plan.capacity)
    if not 1 <= plan.weeks <= MAX_WEEKS or plan.every_weeks not in (1, 2, 4):
        raise PlanningError("weeks")
    if not 5 <= plan.duration_minutes <= 12 * 60:
        raise PlanningError("duration")
    holidays = skipped_holidays(plan)
    days = [day for day in _plan_days(plan) if day not in holidays]
    if not days:
        raise PlanningError("nothing_left")
    starts = [start for day in days for start in _starts_on(day, plan)]
    if starts[0] <= now:
        raise PlanningError("past")
    series = uuid.uuid4().hex if len(days) > 1 else None
    sessions = [
        Session(
            programme=programme,
            starts_at=start,
            ends_at=start + timedelta(minutes=plan.duration_minutes),
            capacity=plan.capacity,
            series_id=series,
        )
        for start in starts
    ]
    db.session.add_all(sessions)
    db.session.flush()
    last = sessions[-1].starts_at.astimezone(LOCAL)
    record(programme, user, "sessions.planned", "", f"{len(sessions)}: {describe(sessions[0])} ... {last:%Y-%m-%d}")
    return sessions


def _plan_days(plan: SessionPlan) -> list[date]:
    """The days of a plan, without the dates the beweegmakelaar asked to skip."""
    days = [plan.first_day + timedelta(weeks=week * plan.every_weeks) for week in range(plan.weeks)]
    return [day for day in days if day not in plan.skip]


def skipped_holidays(plan: SessionPlan, locale: str = "nl") -> dict[date, str]:
    """The Dutch public holidays the plan leaves out, with their names in `locale`; none with `on_holidays`."""
    return {} if plan.on_holidays else public_holidays_among(_plan_days(plan), locale)


def _new_times(day: date, start: time, end: time, now: datetime) -> tuple[datetime, datetime]:
    """The local start and end of a session on `day`; raises PlanningError when they are reversed or past."""
    starts_at, ends_at = local_moment(day, start), local_moment(day, end)
    if ends_at <= starts_at:
        raise PlanningError("end_before_start")
    if starts_at <= now:
        raise PlanningError("past")
    return starts_at, ends_at


def apply_change(session: Session, starts_at: datetime, ends_at: datetime, capacity: int, user: User) -> bool:
    """Give a checked session its new times and places, in the history; a move counts a new revision.

    True when moved. The caller has checked the times and places (the session pages, a CSV import)."""
    moved = (starts_at, ends_at) != (session.starts_at, session.ends_at)
    if moved:
        session.revision += 1
    before = describe(session)
    session.starts_at, session.ends_at, session.capacity = starts_at, ends_at, capacity
    after = describe(session)
    if after != before:
        record(session.programme, user, "session", before, after)
    return moved


def change(
    session: Session, day: date, start: time, end: time, capacity: int, user: User, now: datetime | None = None
) -> bool:
    """Move one session or change its places; a moved one leaves its series. True when moved. Raises PlanningError."""
    starts_at, ends_at = _new_times(day, start, end, now or utcnow())
    lock_session(session.id)
    _check_capacity(capacity, session.booked)
    moved = apply_change(session, starts_at, ends_at, capacity, user)
    if moved:
        session.series_id = None
    return moved


def rest_of_series(session: Session, now: datetime | None = None, *, lock: bool = False) -> list[Session]:
    """This session and every later planned one of its series that has not started, in time order.

    With `lock`, their rows are held until commit, so no booking slips in while they change."""
    if session.series_id is None:
        return [lock_session(session.id)] if lock else [session]
    statement = (
        select(Session)
        .where(
            Session.series_id == session.series_id,
            Session.starts_at >= session.starts_at,
            Session.starts_at > (now or utcnow()),
            Session.status == "scheduled",
        )
        .order_by(Session.starts_at, Session.id)
    )
    return list(db.session.scalars(for_change(statement) if lock else statement))


def change_rest_of_series(
    session: Session, day: date, start: time, end: time, capacity: int, user: User, now: datetime | None = None
) -> tuple[list[Session], list[Session]]:
    """Give this session and the later ones of its series the new times and places; returns (changed, moved).

    Each later session moves by as many days as this one (Tuesday to Wednesday moves them all a day)
    and takes the new start and end time, in local time. Checks every session before changing any:
    raises PlanningError and changes nothing when one would end in the past or below its bookings."""
    now = now or utcnow()
    shift = day - session.starts_at.astimezone(LOCAL).date()
    _check_capacity(capacity)
    changes = []
    for item in rest_of_series(session, now, lock=True):
        starts_at, ends_at = _new_times(item.starts_at.astimezone(LOCAL).date() + shift, start, end, now)
        _check_capacity(capacity, item.booked)
        changes.append((item, starts_at, ends_at))
    moved = [item for item, starts_at, ends_at in changes if apply_change(item, starts_at, ends_at, capacity, user)]
    return [item for item, _, _ in changes], moved


def to_cancel(session: Session, rest: bool, now: datetime | None = None, *, lock: bool = False) -> list[Session]:
    """The sessions that cancelling would touch: this one, or it and the later ones of its series (if planned)."""
    sessions = rest_of_series(session, now, lock=lock) if rest else [lock_session(session.id) if lock else session]
    return [item for item in sessions if item.status == "scheduled"]


def cancel(session: Session, user: User, *, rest: bool = False, now: datetime | None = None) -> list[Session]:
    """Cancel this session, or (rest) it and the later ones of its series that have not started, in the
    history; returns the sessions cancelled (for telling the booked residents). The page asking first
    lists the same sessions, from to_cancel."""
    cancelled = to_cancel(session, rest, now, lock=True)
    for item in cancelled:
        item.status = "cancelled"
        record(item.programme, user, "session.status", describe(item), "cancelled")
    return cancelled


def sessions_of(programme: Programme, now: datetime | None = None, past_days: int = 14) -> list[Session]:
    """The programme's sessions from two weeks ago on, in time order."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Session)
            .where(Session.programme_id == programme.id, Session.starts_at >= now - timedelta(days=past_days))
            .order_by(Session.starts_at)
        )
    )

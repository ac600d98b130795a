"""Away periods: the threads go back to the team, and a resident writing meanwhile gets an automatic reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import AwayPeriod, Message, Thread, ThreadEvent, User
from portal.models.base import utcnow
from portal.services.messaging.working_days import LOCAL, add_working_days

MAX_DAYS = 366


class AwayError(Exception):
    """An away period that cannot be set; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def today() -> date:
    """Today in the Netherlands."""
    return utcnow().astimezone(LOCAL).date()


def current(user: User | None, day: date | None = None) -> AwayPeriod | None:
    """The away period of `user` that covers `day` (today), or None."""
    if user is None:
        return None
    day = day or today()
    return db.session.scalar(
        select(AwayPeriod)
        .where(
            AwayPeriod.user_id == user.id,
            AwayPeriod.cancelled.is_(False),
            AwayPeriod.first_day <= day,
            AwayPeriod.last_day >= day,
        )
        .order_by(AwayPeriod.last_day.desc())
        .limit(1)
    )


def planned(user: User) -> list[AwayPeriod]:
    """The user's away periods that have not ended, soonest first."""
    return list(
        db.session.scalars(
            select(AwayPeriod)
            .where(AwayPeriod.user_id == user.id, AwayPeriod.cancelled.is_(False), AwayPeriod.last_day >= today())
            .order_by(AwayPeriod.first_day)
        )
    )


def set_away(user: User, first_day: date, last_day: date, cover: User | None) -> AwayPeriod:
    """Plan an away period; when it has begun, the user's open threads go back to the team at once."""
    if last_day < first_day or last_day < today() or (last_day - first_day).days > MAX_DAYS:
        raise AwayError("bad_days")
    if cover is not None and (cover.id == user.id or cover.organisation_id != user.organisation_id):
        raise AwayError("bad_cover")
    period = AwayPeriod(user_id=user.id, first_day=first_day, last_day=last_day, cover=cover)
    db.session.add(period)
    db.session.flush()
    if first_day <= today():
        return_threads(user)
    return period


def cancel(user: User, period: AwayPeriod) -> None:
    """Cancel one of the user's own away periods."""
    if period.user_id != user.id:
        raise AwayError("not_allowed")
    period.cancelled = True


def return_threads(user: User) -> int:
    """Give the user's open assigned threads back to the team, each with an event; returns how many."""
    ids = list(db.session.scalars(select(Thread.id).where(Thread.assignee_id == user.id, Thread.status == "open")))
    if not ids:
        return 0
    db.session.execute(
        update(Thread)
        .where(Thread.id.in_(ids), Thread.assignee_id == user.id)
        .values(assignee_id=None, returned_from_id=user.id, version=Thread.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.add_all(ThreadEvent(thread_id=i, actor_id=user.id, kind="returned") for i in ids)
    db.session.expire_all()
    return len(ids)


def return_threads_of_absent(day: date | None = None) -> int:
    """For cron: return the threads of everyone whose away period has begun; returns how many threads."""
    day = day or today()
    absent = db.session.scalars(
        select(User)
        .join(AwayPeriod, AwayPeriod.user_id == User.id)
        .join(Thread, (Thread.assignee_id == User.id) & (Thread.status == "open"))
        .where(AwayPeriod.cancelled.is_(False), AwayPeriod.first_day <= day, AwayPeriod.last_day >= day)
        .distinct()
    )
    return sum(return_threads(user) for user in list(absent))


@dataclass(frozen=True)
class AutoReply:
    """What an automatic reply says: who is away, until when, who covers, and the expected answer date."""

    away_name: str
    until: date
    cover_name: str
    answer_by: date


def _absent_person(thread: Thread) -> tuple[User, AwayPeriod] | None:
    for user_id in (thread.assignee_id, thread.returned_from_id):
        if user_id is not None:
            person = db.session.get(User, user_id)
            period = current(person)
            if period is not None:
                return person, period
    return None


def auto_reply_if_away(thread: Thread, now: datetime) -> Message | None:
    """When the resident's professional is away, add one automatic reply per away period to the thread."""
    found = _absent_person(thread)
    if found is None:
        return None
    person, period = found
    start = datetime.combine(period.first_day, datetime.min.time(), tzinfo=LOCAL)
    already = db.session.scalar(
        select(Message.id).where(
            Message.thread_id == thread.id, Message.kind == "auto_reply", Message.created_at >= start
        )
    )
    if already is not None:
        return None
    answer_by = add_working_days(now, thread.organisation.reply_days).date()
    body = f"{person.display_name}\n{period.last_day.isoformat()}\n{period.cover.display_name if period.cover else ''}"
    message = Message(
        thread_id=thread.id,
        author_organisation_id=thread.organisation_id,
        kind="auto_reply",
        body=f"{body}\n{answer_by.isoformat()}",
    )
    db.session.add(message)
    return message


def read_auto_reply(message: Message) -> AutoReply | None:
    """The facts of an automatic reply, for the page to put in the reader's language."""
    parts = (message.body or "").split("\n")
    if message.kind != "auto_reply" or len(parts) != 4:
        return None
    try:
        return AutoReply(parts[0], date.fromisoformat(parts[1]), parts[2], date.fromisoformat(parts[3]))
    except ValueError:
        return None

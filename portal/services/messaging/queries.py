"""Reading threads: a resident's list, one thread's messages with who read them (the team inbox: inbox.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.models import Message, MessageReceipt, Session, Thread, ThreadEvent, User
from portal.models.base import utcnow
from portal.services.messaging.threads import not_read_by, party_of


@dataclass(frozen=True)
class ThreadRow:
    """One line of a list: the thread, whether it has unread messages, whether the reply is overdue."""

    thread: Thread
    unread: bool
    overdue: bool


def _rows(ids, order, party: str, now: datetime) -> list[ThreadRow]:
    # The people and the organisation of a page of rows are joined to that page only: `ids` selects the page's
    # thread ids (cut with its LIMIT in a subquery), so the database never joins every matching thread
    # before it sorts. Which rows are unread is one more statement over the page (an EXISTS per row lets
    # PostgreSQL hash every message of the database).
    page = ids.subquery()
    loaded = (
        select(Thread)
        .join(page, page.c.id == Thread.id)
        .options(
            joinedload(Thread.assignee).load_only(User.id, User.display_name),
            joinedload(Thread.resident).load_only(User.id, User.display_name),
            joinedload(Thread.organisation),
        )
        .order_by(*order)
    )
    found = list(db.session.scalars(loaded).unique())
    unread = unread_among([thread.id for thread in found], party)
    return [ThreadRow(thread, thread.id in unread, is_overdue(thread, now)) for thread in found]


def unread_among(thread_ids: list[int], party: str) -> set[int]:
    """Which of these threads hold a message the party has not read."""
    if not thread_ids:
        return set()
    return set(
        db.session.scalars(
            select(Message.thread_id)
            .where(
                Message.thread_id.in_(thread_ids),
                not_read_by(party),
            )
            .distinct()
        )
    )


def is_overdue(thread: Thread, now: datetime | None = None) -> bool:
    """True when an open thread waits on the team past the promised reply time."""
    now = now or utcnow()
    return (
        thread.status == "open"
        and thread.waiting_on == "team"
        and thread.reply_due_at is not None
        and thread.reply_due_at < now
    )


def resident_threads(resident: User) -> list[ThreadRow]:
    """A resident's team threads and the consultations about them, newest first."""
    order = (Thread.last_message_at.desc(), Thread.id)
    return _rows(select(Thread.id).where(Thread.resident_id == resident.id), order, "resident", utcnow())


@dataclass(frozen=True)
class MessageView:
    """A message with when the other side first read it (None: not yet)."""

    message: Message
    read_at: datetime | None


@cache
def _messages_statement():
    """A thread's messages after an id, each with when the other party read it (`thread_id`, `after` and `other`
    bound): built once per process, as every thread page sends it."""
    receipt = (
        select(MessageReceipt.read_at)
        .where(MessageReceipt.message_id == Message.id, MessageReceipt.party == bindparam("other"))
        .scalar_subquery()
    )
    return (
        select(Message, receipt)
        .where(Message.thread_id == bindparam("thread_id"), Message.kind != "note", Message.id > bindparam("after"))
        .options(  # the many-to-one relations joined (one thread's messages, no page cut), the files in one more
            joinedload(Message.author),
            joinedload(Message.author_organisation),
            joinedload(Message.offered_session).joinedload(Session.programme),
            selectinload(Message.attachments),
        )
        .order_by(Message.id)
    )


def messages_of(thread: Thread, viewer: User, after: int = 0) -> list[MessageView]:
    """The thread's messages after id `after`, oldest first, each with when the other side read it."""
    viewer_party = party_of(viewer)
    other = "resident" if viewer_party != "resident" else f"o{thread.organisation_id}"
    values = {"thread_id": thread.id, "after": after, "other": other}
    return [MessageView(message, read_at) for message, read_at in db.session.execute(_messages_statement(), values)]


@cache
def _log_statement():
    """A thread's (`thread_id`) log with who did it and to whom: built once, as every thread page shows it."""
    return (
        select(ThreadEvent)
        .where(ThreadEvent.thread_id == bindparam("thread_id"))
        .options(selectinload(ThreadEvent.actor), selectinload(ThreadEvent.target))
        .order_by(ThreadEvent.id)
    )


def thread_log(thread: Thread) -> list[ThreadEvent]:
    """What the team did in the thread (claimed, handed over, closed, reopened), oldest first."""
    return list(db.session.scalars(_log_statement(), {"thread_id": thread.id}))


def first_message(thread: Thread) -> Message:
    """The message that opened the thread."""
    return db.session.scalar(select(Message).where(Message.thread_id == thread.id).order_by(Message.id).limit(1))


def messages_after(thread: Thread, viewer: User, after: int) -> list[MessageView]:
    """The messages newer than id `after` (a bounded id), for a page that shows the thread already."""
    return messages_of(thread, viewer, max(0, min(after, 2**31 - 1))) if after >= 0 else []


@cache
def _unread_statement():
    """The menu's count for one resident (`resident_id` bound): built once per process, since the menu of every
    signed-in page asks it and building it cost more than running it."""
    own = select(Thread.id).where(Thread.resident_id == bindparam("resident_id"))
    return select(func.count(func.distinct(Message.thread_id))).where(
        Message.thread_id.in_(own),
        not_read_by("resident"),
    )


def unread_count(user: User) -> int:
    """How many of a resident's threads have a message they have not read (for the menu)."""
    if user.role != "resident":
        return 0
    return db.session.scalar(_unread_statement(), {"resident_id": user.id})

"""State changes of threads: start, write, claim, hand over, close, reopen and mark read; stale changes refused."""

from __future__ import annotations

from functools import cache

from sqlalchemy import and_, bindparam, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Message, MessageReceipt, Organisation, Referral, Thread, ThreadEvent, User
from portal.models.base import utcnow
from portal.services.messaging import away
from portal.services.messaging.care_relations import active_relation, consent_for, in_care_of, is_care_professional
from portal.services.messaging.working_days import add_working_days

MAX_SUBJECT = 120
MAX_BODY = 5000


class MessagingError(Exception):
    """A thread change that cannot be made; `code` says why (the route puts it in words)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def party_of(user: User) -> str:
    """The reading party a user belongs to: 'resident', or 'o<id>' for the team of their organisation."""
    return "resident" if user.role == "resident" else f"o{user.organisation_id}"


def clean_text(text: str, limit: int, code: str) -> str:
    """The text without surrounding space; raises MessagingError <code>_empty or <code>_too_long."""
    text = (text or "").strip()
    if not text:
        raise MessagingError(f"{code}_empty")
    if len(text) > limit:
        raise MessagingError(f"{code}_too_long")
    return text


def start_thread(resident: User, organisation: Organisation, subject: str, body: str, key: str | None) -> Thread:
    """A resident's new question to one of the teams in their care; raises MessagingError no_relation."""
    if resident.role != "resident" or active_relation(resident.id, organisation.id) is None:
        raise MessagingError("no_relation")
    now = utcnow()
    due = add_working_days(now, organisation.reply_days)
    return open_thread(resident, organisation.id, subject, body, key, reply_due_at=due)


def open_thread(author: User, organisation_id: int, subject: str, body: str, key: str | None, **fields) -> Thread:
    """Make a thread with its first message (subject and text checked first); `fields` set the rest."""
    subject = clean_text(subject, MAX_SUBJECT, "subject")
    body = clean_text(body, MAX_BODY, "body")
    now = utcnow()
    resident_id = author.id if author.role == "resident" else fields.pop("resident_id")
    thread = Thread(
        resident_id=resident_id,
        organisation_id=organisation_id,
        subject=subject,
        created_by_id=author.id,
        created_at=now,
        last_message_at=now,
        waiting_on="team",
        **fields,
    )
    db.session.add(thread)
    db.session.flush()
    add_message(thread, author, body, key)
    return thread


def add_message(thread: Thread, author: User, body: str, key: str | None) -> Message:
    """Add a message (once per idempotency key) and the author's own read receipt; raises duplicate."""
    message = Message(
        thread_id=thread.id,
        author_id=author.id,
        author_organisation_id=None if author.role == "resident" else author.organisation_id,
        body=body,
        idempotency_key=key or None,
    )
    db.session.add(message)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise MessagingError("duplicate") from None
    # The author has read their own message.
    db.session.add(MessageReceipt(message_id=message.id, party=party_of(author), reader_id=author.id))
    return message


def may_read(user: User, thread: Thread) -> bool:
    """The resident it is with or about; a taking-part team while in care (or, consulted, while consented).

    A referral's handover thread: the receiving team (the referral is its way in, closed again when the referral
    is voided as made by mistake), and the referring team while the resident is in its care."""
    if user.role == "resident":
        return thread.resident_id == user.id
    if not is_care_professional(user):
        return False
    if thread.is_referral:
        if user.organisation_id == thread.organisation_id:
            status = db.session.scalar(select(Referral.status).where(Referral.thread_id == thread.id))
            return status not in (None, "entered-in-error")
        return user.organisation_id == thread.partner_organisation_id and in_care_of(user, thread.resident_id)
    if user.organisation_id == thread.organisation_id:
        return in_care_of(user, thread.resident_id)
    return (
        thread.is_consultation
        and user.organisation_id == thread.partner_organisation_id
        and consent_for(thread.resident_id, user.organisation_id) is not None
    )


def may_write(user: User, thread: Thread) -> bool:
    """Whoever may read the thread, except the resident in a consultation about them (they read along)."""
    if user.role == "resident" and thread.is_consultation:
        return False
    return may_read(user, thread)


def post(author: User, thread: Thread, body: str, key: str | None) -> Message:
    """Add a message; a resident's reopens a closed thread; a professional's claims an unassigned one."""
    if not may_write(author, thread):
        raise MessagingError("not_allowed")
    body = clean_text(body, MAX_BODY, "body")
    message = add_message(thread, author, body, key)
    now = utcnow()
    thread.last_message_at = now
    if author.role == "resident":
        thread.waiting_on = "team"
        thread.reply_due_at = add_working_days(now, thread.organisation.reply_days)
        thread.reminded_at = None
        if thread.status == "closed":
            thread.status, thread.closed_at = "open", None
            thread.version += 1
        away.auto_reply_if_away(thread, now)
    elif not thread.is_consultation:
        thread.waiting_on = "resident"
        thread.reply_due_at = None
        if thread.assignee_id is None and author.organisation_id == thread.organisation_id:
            thread.assignee_id = author.id
            thread.version += 1
            _event(thread, author, "claimed")
    db.session.flush()
    return message


def _event(thread: Thread, actor: User | None, kind: str, target: User | None = None, note: str | None = None):
    db.session.add(
        ThreadEvent(thread_id=thread.id, actor_id=actor.id if actor else None, kind=kind, target=target, note=note)
    )


def _change(thread: Thread, version: int, **values) -> None:
    """Apply `values` only when the thread is still at `version` (one statement); raise stale otherwise."""
    changed = db.session.execute(
        update(Thread)
        .where(Thread.id == thread.id, Thread.version == version)
        .values(version=Thread.version + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise MessagingError("stale")
    db.session.refresh(thread)


def _team_member(user: User, thread: Thread) -> None:
    if not (is_care_professional(user) and user.organisation_id == thread.organisation_id):
        raise MessagingError("not_allowed")


def claim(user: User, thread: Thread, version: int) -> None:
    """Take an open, unassigned thread; of two professionals claiming at once, one wins."""
    _team_member(user, thread)
    if thread.status != "open" or thread.assignee_id is not None:
        raise MessagingError("stale")
    _change(thread, version, assignee_id=user.id, returned_from_id=None)
    _event(thread, user, "claimed")


def hand_over(user: User, thread: Thread, colleague: User, note: str, version: int) -> None:
    """Give the thread to a colleague of the same team, with a note for them."""
    _team_member(user, thread)
    if colleague is None or colleague.id == user.id or colleague.organisation_id != thread.organisation_id:
        raise MessagingError("bad_colleague")
    if not is_care_professional(colleague) or not colleague.is_active_account:
        raise MessagingError("bad_colleague")
    note = (note or "").strip()
    if len(note) > 1000:
        raise MessagingError("note_too_long")
    if thread.status != "open":
        raise MessagingError("stale")
    _change(thread, version, assignee_id=colleague.id, returned_from_id=None)
    _event(thread, user, "handed_over", target=colleague, note=note or None)


def close(user: User, thread: Thread, version: int) -> None:
    """Close an open thread (the resident can still read it, and writing again reopens it)."""
    _team_member(user, thread)
    if thread.status != "open":
        raise MessagingError("stale")
    _change(thread, version, status="closed", closed_at=utcnow(), reply_due_at=None)
    _event(thread, user, "closed")


def reopen(user: User, thread: Thread, version: int) -> None:
    """Open a closed thread again."""
    _team_member(user, thread)
    if thread.status != "closed":
        raise MessagingError("stale")
    _change(thread, version, status="open", closed_at=None)
    _event(thread, user, "reopened")


def not_read_by(party: str):
    """A correlated condition on Message: the party has no receipt for it yet."""
    return ~exists().where(and_(MessageReceipt.message_id == Message.id, MessageReceipt.party == party))


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@cache
def _mark_read_statement(dialect: str):
    """Receipts for the thread's messages up to id `up_to` that the party has not read (`thread_id`, `party`,
    `read_at`, `reader_id` and `up_to` bound), none for a message a colleague's page marks read at the same moment
    (ON CONFLICT DO NOTHING, no savepoint around it): built once, as every thread page sends it."""
    party = bindparam("party")
    unread = select(
        Message.id,
        party,
        bindparam("read_at", type_=MessageReceipt.read_at.type),
        bindparam("reader_id", type_=MessageReceipt.reader_id.type),
    ).where(Message.thread_id == bindparam("thread_id"), Message.id <= bindparam("up_to"), not_read_by(party))
    return (
        _INSERTS[dialect](MessageReceipt.__table__)  # the table's: the ORM would take the bound values for rows
        .from_select(["message_id", "party", "read_at", "reader_id"], unread)
        .on_conflict_do_nothing()
        .returning(MessageReceipt.message_id)
    )


def mark_read(reader: User, thread: Thread, up_to: int | None = None) -> int:
    """Record that the reader's party has read the thread's messages (those up to id `up_to`, when given: the ones a
    page showed); returns how many were new."""
    values = {
        "party": party_of(reader),
        "read_at": utcnow(),
        "reader_id": reader.id,
        "thread_id": thread.id,
        "up_to": 2**31 - 1 if up_to is None else up_to,  # the largest id of an INTEGER column
    }
    statement = _mark_read_statement(db.session.get_bind().dialect.name)
    return len(db.session.execute(statement, values).all())  # rowcount of INSERT ... SELECT is -1 on psycopg

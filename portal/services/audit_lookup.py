"""Names and words for the ids in audit records: one query per kind of thing, never one per record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import AuditEvent, Booking, Programme, Session, User
from portal.models.base import MAX_ID


@dataclass(frozen=True)
class ObjectWords:
    """What an audit record was about: a programme title and a session time, or a person."""

    title: str = ""
    starts_at: datetime | None = None
    person: User | None = None


def _ids(values) -> set[int]:
    """The values that are whole numbers in the database's range (object ids are stored as text)."""
    found = set()
    for value in values:
        text = str(value or "")
        if text.isdigit() and 0 < int(text) <= MAX_ID:
            found.add(int(text))
    return found


def people(events: list[AuditEvent]) -> dict[int, User]:
    """Every user an event names (who, whose data, an account it is about), by id."""
    ids = _ids(e.actor_user_id for e in events) | _ids(e.subject_user_id for e in events)
    ids |= _ids(e.object_id for e in events if e.object_type == "account")
    if not ids:
        return {}
    users = db.session.scalars(select(User).options(joinedload(User.organisation)).where(User.id.in_(ids)))
    return {user.id: user for user in users}


def _sessions(ids: set[int]) -> dict[int, Session]:
    if not ids:
        return {}
    query = select(Session).options(joinedload(Session.programme).selectinload(Programme.translations))
    return {s.id: s for s in db.session.scalars(query.where(Session.id.in_(ids))).unique()}


def objects(events: list[AuditEvent], locale: str, known: dict[int, User]) -> dict[tuple[str, str], ObjectWords]:
    """Words for the object of every event, keyed by (object_type, object_id)."""
    booking_ids = _ids(e.object_id for e in events if e.object_type == "booking")
    bookings = {}
    if booking_ids:
        bookings = {b.id: b for b in db.session.scalars(select(Booking).where(Booking.id.in_(booking_ids)))}
    session_ids = _ids(e.object_id for e in events if e.object_type == "session_participants")
    sessions = _sessions(session_ids | {b.session_id for b in bookings.values()})
    words: dict[tuple[str, str], ObjectWords] = {}
    for booking in bookings.values():
        session = sessions.get(booking.session_id)
        if session is not None:
            words[("booking", str(booking.id))] = ObjectWords(session.programme.text(locale).title, session.starts_at)
    for session_id in session_ids:
        session = sessions.get(session_id)
        if session is not None:
            words[("session_participants", str(session_id))] = ObjectWords(
                session.programme.text(locale).title, session.starts_at
            )
    for event in events:
        if event.object_type == "account" and event.object_id and event.object_id.isdigit():
            person = known.get(int(event.object_id))
            if person is not None:
                words[("account", event.object_id)] = ObjectWords(person=person)
    return words

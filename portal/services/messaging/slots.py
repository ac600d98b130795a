"""Consult slots of a care team: sessions of its care-team-only programmes, offered in a thread and booked as usual."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import CareRelation, Message, Programme, Session, Thread, User
from portal.models.base import utcnow
from portal.services.messaging.threads import MessagingError


def _open_slots(now: datetime):
    return (
        select(Session)
        .join(Programme, Programme.id == Session.programme_id)
        .where(
            Programme.status == "care_team",
            Session.status == "scheduled",
            Session.starts_at > now,
            Session.booked < Session.capacity,
        )
        .options(selectinload(Session.programme).selectinload(Programme.location))
        .order_by(Session.starts_at, Session.id)
    )


@cache
def _team_slots_statement():
    """The team's (`organisation_id`) free slots after `now`, at most `limit`: built once, as every page of one of its
    threads asks it."""
    statement = _open_slots(bindparam("now", type_=Session.starts_at.type))
    return statement.where(Programme.organisation_id == bindparam("organisation_id")).limit(bindparam("limit"))


def team_slots(organisation_id: int, limit: int = 30, now: datetime | None = None) -> list[Session]:
    """The organisation's free, coming consult slots (to offer in a thread)."""
    values = {"organisation_id": organisation_id, "limit": limit, "now": now or utcnow()}
    return list(db.session.scalars(_team_slots_statement(), values))


def slots_for(resident: User, limit: int = 30, now: datetime | None = None) -> list[Session]:
    """The free, coming consult slots of every team the resident is in the care of."""
    in_care = select(CareRelation.organisation_id).where(
        CareRelation.resident_id == resident.id, CareRelation.status == "active"
    )
    statement = _open_slots(now or utcnow()).where(Programme.organisation_id.in_(in_care))
    return list(db.session.scalars(statement.limit(limit)))


def offer(message: Message, thread: Thread, session_id: int | None, now: datetime | None = None) -> None:
    """Attach a consult slot of the thread's team to a message; raises MessagingError bad_slot."""
    if not session_id:
        return
    session = db.session.get(Session, session_id)
    now = now or utcnow()
    if (
        session is None
        or thread.is_consultation
        or session.programme.status != "care_team"
        or session.programme.organisation_id != thread.organisation_id
        or session.status != "scheduled"
        or session.starts_at <= now
    ):
        raise MessagingError("bad_slot")
    message.offered_session_id = session.id

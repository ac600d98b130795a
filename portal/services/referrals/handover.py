"""The warm handover: writing in a referral's thread, offering a session, and booking it linked to the referral."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select, update

from portal.extensions import db
from portal.models import CareRelation, Message, Programme, Referral, Session, User
from portal.models.base import UTCDateTime, utcnow
from portal.services.booking import places
from portal.services.booking.places import BookingResult
from portal.services.messaging import threads
from portal.services.referrals.queries import title_in_language
from portal.services.referrals.referrals import OFFERABLE, ReferralError, parties_of, record_event

MAX_OFFERED = 30


@dataclass(frozen=True)
class OfferableSession:
    """A coming session the receiving team may offer: its id, start, programme title (in the reader's language, or
    Dutch) and free places."""

    id: int
    starts_at: datetime
    title: str
    free: int


@cache
def _offerable_statement():
    """The offerable sessions, in one statement built once (team, resident, referred programme, language and moment
    bound): published programmes, and the team's care-team-only consult slots when the resident is in its care
    (asked inside the sessions' statement, not in one of its own)."""
    organisation_id = bindparam("organisation_id")
    in_care = (
        select(CareRelation.id)
        .where(
            CareRelation.resident_id == bindparam("resident_id"),
            CareRelation.organisation_id == organisation_id,
            CareRelation.status == "active",
        )
        .exists()
    )
    title = title_in_language(Session.programme_id, bindparam("lang"))
    return (
        select(Session.id, Session.starts_at, title, Session.capacity - Session.booked)
        .join(Programme, Programme.id == Session.programme_id)
        .where(
            Programme.organisation_id == organisation_id,
            Programme.status.in_(OFFERABLE) | ((Programme.status == "care_team") & in_care),
            Session.status == "scheduled",
            Session.starts_at > bindparam("now", type_=UTCDateTime),
            Session.booked < Session.capacity,
        )
        .order_by(Session.programme_id != bindparam("programme_id"), Session.starts_at, Session.id)
        .limit(MAX_OFFERED)
    )


def offerable_sessions(referral: Referral, lang: str = "nl", now: datetime | None = None) -> list[OfferableSession]:
    """Coming sessions of the receiving team's programmes with a free place, the referred programme's first."""
    values = {
        "organisation_id": referral.organisation_id,
        "resident_id": referral.resident_id,
        "programme_id": referral.programme_id or 0,
        "lang": lang,
        "now": now or utcnow(),
    }
    return [OfferableSession(*row) for row in db.session.execute(_offerable_statement(), values)]


def _checked_offer(referral: Referral, session_id: int | None) -> Session | None:
    if not session_id:
        return None
    if session_id not in {session.id for session in offerable_sessions(referral)}:
        raise ReferralError("bad_slot")
    return db.session.get(Session, session_id)


def write(user: User, referral: Referral, body: str, key: str | None, session_id: int | None = None) -> Message:
    """A message in the handover thread; the receiving team may offer a session with it. The team's first
    message counts as the first contact. Raises ReferralError (not_allowed, bad_slot) or MessagingError."""
    parties = parties_of(user, referral)
    if not parties or referral.thread is None:
        raise ReferralError("not_allowed")
    if session_id and "receiver" not in parties:
        raise ReferralError("bad_slot")
    session = _checked_offer(referral, session_id)
    message = threads.post(user, referral.thread, body, key)
    if session is not None:
        message.offered_session_id = session.id
    if "receiver" in parties and referral.first_contact_at is None:
        db.session.execute(
            update(Referral)
            .where(Referral.id == referral.id, Referral.first_contact_at.is_(None))
            .values(first_contact_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(referral)
    db.session.flush()
    return message


def offered_message(referral: Referral, message_id: int) -> Message | None:
    """A message of the referral's thread that offers a session, or None."""
    message = db.session.get(Message, message_id)
    if message is None or message.thread_id != referral.thread_id or message.offered_session_id is None:
        return None
    return message


def book_offered(resident: User, referral: Referral, message_id: int, key: str) -> BookingResult:
    """The resident books the session offered in the handover thread; the booking is linked to the referral.
    Raises ReferralError (not_allowed, bad_slot, closed) or BookingError from the booking engine."""
    if referral.resident_id != resident.id:
        raise ReferralError("not_allowed")
    if referral.status not in ("requested", "accepted", "in-progress", "on-hold"):
        raise ReferralError("closed")
    message = offered_message(referral, message_id)
    if message is None:
        raise ReferralError("bad_slot")
    result = places.book(resident, message.offered_session_id, key)
    if result.created or referral.booking_id is None:
        referral.booking_id = result.booking.id
        record_event(
            referral,
            resident,
            "resident",
            "booked",
            detail=result.booking.status,
        )
    db.session.flush()
    return result

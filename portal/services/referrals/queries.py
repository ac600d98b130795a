"""Reading referrals: a team's workspace (received and sent, open and overdue loops first), a resident's own,
the history of one, and the workspace counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from portal.extensions import db
from portal.models import (
    Booking,
    Organisation,
    Programme,
    ProgrammeText,
    Referral,
    ReferralEvent,
    Session,
    User,
)
from portal.models.base import UTCDateTime
from portal.models.referrals import CLOSED_LOOP, OPEN_LOOP
from portal.services.messaging.care_relations import in_care_exists
from portal.services.referrals.overdue import overdue_condition, overdue_cutoff
from portal.services.referrals.statuses import OPEN

PAGE_SIZE = 25
BOXES = ("received", "sent")


@dataclass(frozen=True)
class ReferralRow:
    """One line of a workspace list, as plain values: the resident, the offer (the programme's title in the
    reader's language or Dutch, else the receiving team), the team on the other side, the status and whether
    the loop is overdue; `news` marks a sent referral changed since the referring team last saw it."""

    id: int
    resident_name: str
    offer: str
    other_team: str
    status: str
    reason: str | None
    changed_at: datetime
    news: bool
    overdue: bool


def _in_care(organisation_id):
    """The referral's resident is in the organisation's care (the referring side's key to them).

    A correlated EXISTS, not an IN over the team's residents: SQLite would otherwise start from every referral of
    those residents and miss the (referrer_organisation_id, status, changed_at) index (3 ms -> 0.5 ms a page)."""
    return in_care_exists(Referral.resident_id, organisation_id)


def _box_condition(box: str, organisation_id):
    """The referrals of a box of the organisation (an id, or a bound parameter in a statement built once)."""
    if box == "sent":
        return (Referral.referrer_organisation_id == organisation_id) & _in_care(organisation_id)
    return (Referral.organisation_id == organisation_id) & Referral.status.not_in(("draft", "entered-in-error"))


def _loaded(statement):
    """The rows' people, organisations and offers, each in one statement after the page is cut (joined into the
    rows' statement, SQLite would join every matching referral before sorting: 0.3 -> 4 to 11 ms)."""
    return statement.options(
        selectinload(Referral.resident),
        selectinload(Referral.organisation),
        selectinload(Referral.referrer_organisation),
        selectinload(Referral.referrer),
        selectinload(Referral.programme).selectinload(Programme.translations),
    )


@cache
def _workspace_statement(box: str, state: str):
    """A page of a box with what its lines show, in one statement built once per process (the organisation,
    language, size and offset bound). The page is cut first (a subquery of ids with its LIMIT), so the database
    joins the people, teams and titles to the page's rows only, never to every matching referral."""
    if state == "closed":
        condition, order = CLOSED_LOOP, (Referral.changed_at.desc(), Referral.id.desc())
    else:
        condition, order = OPEN_LOOP, (Referral.changed_at, Referral.id)
    page = (
        select(Referral.id)
        .where(_box_condition(box, bindparam("organisation_id")), condition)
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery()
    )
    other_side = Referral.organisation_id if box == "sent" else Referral.referrer_organisation_id
    # What a line shows of the people, teams and offer as scalar subqueries (one index look-up each per row of the
    # page), not joins: with six joined tables PostgreSQL spent 5 ms planning the statement for a 0.4 ms run, on
    # every request (it keeps a custom plan per run); the keys are required foreign keys, so nothing changes.
    return (
        select(
            Referral.id,
            _column_of(User.display_name, User.id, Referral.resident_id),
            func.coalesce(  # the receiving team's name without an offer
                title_in_language(Referral.programme_id, bindparam("lang")),
                _column_of(Organisation.name, Organisation.id, Referral.organisation_id),
            ),
            _column_of(Organisation.name, Organisation.id, other_side),
            Referral.status,
            Referral.reason,
            Referral.changed_at,
            Referral.referrer_seen_version != Referral.version,
        )
        .join(page, page.c.id == Referral.id)
        .order_by(*order)
    )


def _column_of(column, key, value):
    """`column` of the row whose `key` is `value`, as a scalar subquery."""
    return select(column).where(key == value).scalar_subquery()


def _title_of(programme_id, locale):
    """A programme's title in `locale`, as a scalar subquery (NULL without that text)."""
    return _column_of(ProgrammeText.title, ProgrammeText.programme_id, programme_id).where(
        ProgrammeText.locale == locale
    )


def title_in_language(programme_id, locale):
    """A programme's title in `locale`, else in Dutch (every programme's fallback), as two scalar subqueries: a
    statement that joined the texts twice cost PostgreSQL more to plan on every run than to execute."""
    return func.coalesce(_title_of(programme_id, locale), _title_of(programme_id, "nl"))


def workspace(
    user: User, box: str, state: str = "open", page: int = 1, lang: str = "nl", now: datetime | None = None
) -> tuple[list[ReferralRow], bool]:
    """One page of the team's received or sent referrals. Open loops (and drafts) come oldest change first, so the
    overdue ones lead; closed ones newest first. Returns the rows and whether more follow."""
    box = box if box in BOXES else "received"
    statement = _workspace_statement(box, "closed" if state == "closed" else "open")
    values = {
        "organisation_id": user.organisation_id,
        "lang": lang,
        "limit": PAGE_SIZE + 1,
        "offset": (max(page, 1) - 1) * PAGE_SIZE,
    }
    found = db.session.execute(statement, values).all()
    cutoff = overdue_cutoff(now)
    rows = [
        ReferralRow(*row, overdue=row.status in OPEN and row.changed_at < cutoff)  # as overdue.is_overdue
        for row in found[:PAGE_SIZE]
    ]
    return rows, len(found) > PAGE_SIZE


@cache
def _counts_statement():
    """The workspace counts in one statement built once (organisation and overdue cutoff bound)."""
    organisation_id = bindparam("organisation_id")
    overdue = overdue_condition(cutoff=bindparam("cutoff", type_=UTCDateTime))
    received = (
        select(
            func.count().filter(Referral.status == "requested"),
            func.count().filter(Referral.status != "draft"),
            func.count().filter(overdue),
        )
        .where(Referral.organisation_id == organisation_id, OPEN_LOOP)  # OPEN_LOOP: read from its partial index
        .subquery()
    )
    sent_overdue = (
        select(func.count()).where(_box_condition("sent", organisation_id), OPEN_LOOP, overdue).scalar_subquery()
    )  # the other side's partial index; both in one statement (one round trip)
    return select(*received.c, sent_overdue)


def counts(user: User, now: datetime | None = None) -> dict[str, int]:
    """For the workspace start page: new referrals to the team, its open ones, and the overdue loops it sent."""
    values = {"organisation_id": user.organisation_id, "cutoff": overdue_cutoff(now)}
    row = db.session.execute(_counts_statement(), values).one()
    return {"new": row[0], "open": row[1], "overdue": row[2], "sent_overdue": row[3]}


def of_resident(resident: User) -> list[Referral]:
    """A resident's own referrals, newest first (drafts waiting for their agreement too)."""
    statement = select(Referral).where(Referral.resident_id == resident.id).order_by(Referral.created_at.desc())
    return list(db.session.scalars(_loaded(statement)))


def about_resident(user: User, resident_id: int) -> list[Referral]:
    """The referrals of one resident that the user's team made or received, newest first."""
    organisation_id = user.organisation_id
    statement = (
        select(Referral)
        .where(
            Referral.resident_id == resident_id,
            (Referral.referrer_organisation_id == organisation_id)
            | ((Referral.organisation_id == organisation_id) & Referral.status.not_in(("draft", "entered-in-error"))),
        )
        .order_by(Referral.created_at.desc())
    )
    return list(db.session.scalars(_loaded(statement)))


@cache
def _history_statement():
    """A referral's events with their actors (`referral_id` bound), built once per process."""
    return (
        select(ReferralEvent)
        .where(ReferralEvent.referral_id == bindparam("referral_id"))
        .options(joinedload(ReferralEvent.actor))  # many-to-one: joined, not a statement of its own
        .order_by(ReferralEvent.id)
    )


def history(referral: Referral) -> list[ReferralEvent]:
    """Every change of the referral, oldest first, with who made it."""
    return list(db.session.scalars(_history_statement(), {"referral_id": referral.id}))


@dataclass(frozen=True)
class ReferralPage:
    """A referral with what its page shows joined, and the offer's name: the programme's title in the reader's
    language (or Dutch), else the receiving team's name."""

    referral: Referral
    offer: str


@cache
def _page_statement():
    """One referral (`referral_id` bound) with the people, teams, offer and thread joined, and its programme's
    title in the `lang` bound language or Dutch; built once per process."""
    local, dutch = aliased(ProgrammeText), aliased(ProgrammeText)
    return (
        select(Referral, func.coalesce(local.title, dutch.title))
        .outerjoin(local, (local.programme_id == Referral.programme_id) & (local.locale == bindparam("lang")))
        .outerjoin(dutch, (dutch.programme_id == Referral.programme_id) & (dutch.locale == "nl"))
        .where(Referral.id == bindparam("referral_id"))
        .options(
            joinedload(Referral.resident),
            joinedload(Referral.referrer),
            joinedload(Referral.agreement_recorded_by),
            joinedload(Referral.organisation),
            joinedload(Referral.referrer_organisation),
            joinedload(Referral.thread),
            joinedload(Referral.programme),
        )
    )


def for_page(referral_id: int, lang: str) -> ReferralPage | None:
    """One referral with everything its page shows about it, in one statement (the booked session is asked apart,
    for the few referrals that have one)."""
    row = db.session.execute(_page_statement(), {"referral_id": referral_id, "lang": lang}).unique().one_or_none()
    if row is None:
        return None
    referral, title = row
    return ReferralPage(referral, title if referral.programme is not None else referral.organisation.name)


@dataclass(frozen=True)
class BookedSession:
    """The session booked through a referral: when, and its programme's title in the reader's language or Dutch."""

    starts_at: datetime
    title: str


@cache
def _booked_statement():
    """The booked session's start and title (`booking_id` and `lang` bound), built once per process."""
    local, dutch = aliased(ProgrammeText), aliased(ProgrammeText)
    return (
        select(Session.starts_at, func.coalesce(local.title, dutch.title))
        .join(Booking, Booking.session_id == Session.id)
        .outerjoin(local, (local.programme_id == Session.programme_id) & (local.locale == bindparam("lang")))
        .outerjoin(dutch, (dutch.programme_id == Session.programme_id) & (dutch.locale == "nl"))
        .where(Booking.id == bindparam("booking_id"))
    )


def booked_session(referral: Referral, lang: str) -> BookedSession | None:
    """The session the resident booked through the referral, or None (no statement when there is none)."""
    if referral.booking_id is None:
        return None
    row = db.session.execute(_booked_statement(), {"booking_id": referral.booking_id, "lang": lang}).one_or_none()
    return None if row is None else BookedSession(*row)


def for_thread(thread_id: int) -> Referral | None:
    """The referral whose handover thread this is."""
    return db.session.scalar(select(Referral).where(Referral.thread_id == thread_id))

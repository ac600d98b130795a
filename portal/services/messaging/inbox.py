"""The team inbox: one page of a box and the box counts, in statements built once per process with bound values.

Building the box's statement (its conditions, joins and options) cost more than running it on every request; the
page's rows are plain rows of the columns the inbox shows, not Thread objects with their people loaded."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import CareRelation, InvolvementConsent, Message, Thread, User
from portal.models.base import utcnow
from portal.services.messaging.care_relations import in_care_exists
from portal.services.messaging.queries import is_overdue
from portal.services.messaging.threads import not_read_by, party_of

BOXES = ("unassigned", "mine", "waiting", "closed", "consultations")
PAGE_SIZE = 25
# The inbox's tabs count up to this many threads and then say "99+": a count stops after 100 rows, whatever the
# team's backlog (the residents overview still gives the exact counts, with the overdue ones).
TAB_COUNT_CAP = 99


@dataclass(frozen=True)
class BoxRow:
    """One line of a box: the thread's shown columns (with `resident_name` and `assignee_name`), whether it has
    unread messages, whether the reply is overdue."""

    thread: Row
    unread: bool
    overdue: bool


def _in_care(organisation_id):
    """The thread's resident is in the organisation's care, probed row by row (for a page of a box).

    A correlated EXISTS on ix_care_relations_in_care: the planner then walks the box's own index in the page's
    order and stops after one page. With an IN over the team's residents SQLite started from every thread of
    those residents (ix_threads_resident) and sorted them all: 20 ms a page at 10,000 threads, now 0.1 ms."""
    return in_care_exists(Thread.resident_id, organisation_id)


def _in_care_list(organisation_id):
    """The same rule as an IN over the team's residents (for the box counts, which read every open thread).
    `resident_id + 0` keeps SQLite from starting at ix_threads_resident (every thread of those residents, from the
    table); it reads the covering ix_threads_team_queue instead: 20 ms -> 2 ms at 7,500 open threads."""
    return (Thread.resident_id + 0).in_(
        select(CareRelation.resident_id).where(
            CareRelation.organisation_id == organisation_id, CareRelation.status == "active"
        )
    )


def _consented(organisation_id):
    return exists().where(
        InvolvementConsent.resident_id == Thread.resident_id,
        InvolvementConsent.organisation_id == organisation_id,
        InvolvementConsent.withdrawn_at.is_(None),
    )


def _condition(box: str):
    """Which threads are in the box (`organisation_id` and `user_id` bound)."""
    organisation_id = bindparam("organisation_id")
    team = (Thread.organisation_id == organisation_id) & (Thread.kind == "team") & _in_care(organisation_id)
    if box == "unassigned":
        return team & (Thread.status == "open") & Thread.assignee_id.is_(None)
    if box == "mine":
        return team & (Thread.status == "open") & (Thread.assignee_id == bindparam("user_id"))
    if box == "waiting":
        return team & (Thread.status == "open") & (Thread.waiting_on == "resident")
    if box == "closed":
        return team & (Thread.status == "closed")
    return (Thread.kind == "consultation") & or_(
        (Thread.organisation_id == organisation_id) & _in_care(organisation_id),
        (Thread.partner_organisation_id == organisation_id) & _consented(organisation_id),
    )


@cache
def _box_statement(box: str):
    """A page of the box (`organisation_id`, `user_id`, `party` and `offset` bound), one row more than a page.

    The page's thread ids are cut with their LIMIT in a subquery, so the database joins the people to that page
    only, never to every matching thread before it sorts; whether a row has unread messages is probed for those
    rows only (a message without a receipt of the party, on ix_messages_thread and the receipts' key)."""
    order = (Thread.last_message_at.desc(), Thread.id.desc())
    if box in ("unassigned", "mine"):
        order = (Thread.reply_due_at.asc().nulls_last(), Thread.id)  # the order of ix_threads_team_queue
    page = (
        select(Thread.id)
        .where(_condition(box))
        .order_by(*order)
        .limit(PAGE_SIZE + 1)
        .offset(bindparam("offset"))
        .subquery()
    )
    resident, assignee = aliased(User), aliased(User)
    unread = exists().where(Message.thread_id == Thread.id, not_read_by(bindparam("party")))
    return (
        select(
            Thread.id,
            Thread.kind,
            Thread.subject,
            Thread.status,
            Thread.waiting_on,
            Thread.last_message_at,
            Thread.reply_due_at,
            resident.display_name.label("resident_name"),
            assignee.display_name.label("assignee_name"),
            unread.label("unread"),
        )
        .join(page, page.c.id == Thread.id)
        .join(resident, resident.id == Thread.resident_id)
        .outerjoin(assignee, assignee.id == Thread.assignee_id)
        .order_by(*order)
    )


def team_box(user: User, box: str, page: int = 1) -> tuple[list[BoxRow], bool]:
    """One box of the team inbox of the user's organisation, one page; returns the rows and whether more follow."""
    values = {
        "organisation_id": user.organisation_id,
        "user_id": user.id,
        "party": party_of(user),
        "offset": (max(page, 1) - 1) * PAGE_SIZE,
    }
    found = db.session.execute(_box_statement(box), values).all()
    now = utcnow()
    rows = [BoxRow(row, bool(row.unread), is_overdue(row, now)) for row in found[:PAGE_SIZE]]
    return rows, len(found) > PAGE_SIZE


def _open_team_threads(organisation_id):
    return (Thread.organisation_id == organisation_id) & (Thread.kind == "team") & (Thread.status == "open")


def _capped_count(condition):
    """How many threads meet `condition`, counted up to TAB_COUNT_CAP + 1 (the rest is never read)."""
    first = select(Thread.id).where(condition).limit(TAB_COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(first).scalar_subquery()


@cache
def _counts_statement():
    """The unassigned and mine counts for the tabs (`organisation_id` and `user_id` bound), each at most
    TAB_COUNT_CAP + 1: a range of ix_threads_team_queue cut after 100 rows, not all 2,500 and 4,200 of the bench
    team's 7,500 open threads."""
    organisation_id = bindparam("organisation_id")
    open_threads = _open_team_threads(organisation_id) & _in_care_list(organisation_id)
    unassigned = _capped_count(open_threads & Thread.assignee_id.is_(None))
    mine = _capped_count(open_threads & (Thread.assignee_id == bindparam("user_id")))
    return select(unassigned, mine)


@cache
def _overview_counts_statement():
    """The counts with the overdue ones (`organisation_id`, `user_id` and `now` bound): one pass over the team's
    open threads."""
    organisation_id = bindparam("organisation_id")
    overdue = (Thread.waiting_on == "team") & (Thread.reply_due_at < bindparam("now"))
    return select(
        func.count().filter(Thread.assignee_id.is_(None)),
        func.count().filter(Thread.assignee_id == bindparam("user_id")),
        func.count().filter(overdue),
    ).where(_open_team_threads(organisation_id) & _in_care_list(organisation_id))


def box_counts(user: User, overdue: bool = False) -> dict[str, int]:
    """How many open threads wait in the unassigned and mine boxes; with `overdue` exact and with how many of those
    are overdue, else for the tabs (more than TAB_COUNT_CAP: TAB_COUNT_CAP + 1)."""
    values = {"organisation_id": user.organisation_id, "user_id": user.id}
    if not overdue:
        row = db.session.execute(_counts_statement(), values).one()
        return {"unassigned": row[0], "mine": row[1]}
    row = db.session.execute(_overview_counts_statement(), values | {"now": utcnow()}).one()
    return {"unassigned": row[0], "mine": row[1], "overdue": row[2]}

"""A resident's messaging data: their copy (care team, consents, threads with every message) and its erasure."""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select

from portal.extensions import db
from portal.models import (
    Attachment,
    CareRelation,
    InvolvementConsent,
    Message,
    MessageReceipt,
    Thread,
    ThreadEvent,
    User,
)
from portal.services.messaging import attachments


def care_team_copy(user: User, stamp) -> list[dict]:
    """Every care relation: organisation, status, who started it, when."""
    return [
        {
            "organisation": relation.organisation.name,
            "status": relation.status,
            "started_by": relation.started_by,
            "invited_by": relation.invited_by.display_name if relation.invited_by else None,
            "confirmed_by": relation.confirmed_by.display_name if relation.confirmed_by else None,
            "requested_at": stamp(relation.created_at),
            "active_since": stamp(relation.active_since),
            "ended_at": stamp(relation.ended_at),
            "ended_by": relation.ended_by,
        }
        for relation in db.session.scalars(
            select(CareRelation).where(CareRelation.resident_id == user.id).order_by(CareRelation.created_at)
        )
    ]


def consult_consents_copy(user: User, stamp) -> list[dict]:
    """Every consent to consult an organisation, given and withdrawn."""
    return [
        {"organisation": c.organisation.name, "given_at": stamp(c.given_at), "withdrawn_at": stamp(c.withdrawn_at)}
        for c in db.session.scalars(
            select(InvolvementConsent)
            .where(InvolvementConsent.resident_id == user.id)
            .order_by(InvolvementConsent.given_at)
        )
    ]


def _author(message: Message, user: User) -> str:
    if message.author_id == user.id:
        return user.display_name
    if message.author is not None:
        return message.author.display_name
    return message.author_organisation.name if message.author_organisation else ""


def threads_copy(user: User, stamp) -> list[dict]:
    """Every thread with the resident's teams and every consultation about them, with all messages."""
    result = []
    for thread in db.session.scalars(select(Thread).where(Thread.resident_id == user.id).order_by(Thread.id)):
        messages = db.session.scalars(
            select(Message).where(Message.thread_id == thread.id, Message.kind != "note").order_by(Message.id)
        )
        result.append(
            {
                "kind": thread.kind,
                "subject": thread.subject,
                "team": thread.organisation.name,
                "consulted_team": thread.partner_organisation.name if thread.partner_organisation else None,
                "status": thread.status,
                "started_at": stamp(thread.created_at),
                "messages": [
                    {
                        "from": _author(message, user),
                        "organisation": message.author_organisation.name if message.author_organisation else None,
                        "kind": message.kind,
                        "at": stamp(message.created_at),
                        "text": message.body,
                        "attachments": [a.filename for a in message.attachments],
                    }
                    for message in messages
                ],
            }
        )
    return result


def thread_ids_of(user: User):
    """A subquery of the ids of the resident's threads."""
    return select(Thread.id).where(Thread.resident_id == user.id)


def erase(user: User, old_email: str) -> list[str]:
    """Delete the resident's threads (messages, receipts, attachments, the team's log), relations and consents.

    The attachment files are removed once the erasure commits; returns their storage keys."""
    ids = thread_ids_of(user).scalar_subquery()
    message_ids = select(Message.id).where(Message.thread_id.in_(ids)).scalar_subquery()
    keys = attachments.keys_of(message_ids)
    db.session.execute(delete(Attachment).where(Attachment.message_id.in_(message_ids)))
    db.session.execute(delete(MessageReceipt).where(MessageReceipt.message_id.in_(message_ids)))
    db.session.execute(delete(Message).where(Message.thread_id.in_(ids)))
    db.session.execute(delete(ThreadEvent).where(ThreadEvent.thread_id.in_(ids)))
    db.session.execute(delete(Thread).where(Thread.resident_id == user.id))
    db.session.execute(delete(InvolvementConsent).where(InvolvementConsent.resident_id == user.id))
    db.session.execute(
        delete(CareRelation).where(
            or_(CareRelation.resident_id == user.id, func.lower(CareRelation.invited_email) == old_email.lower())
        )
    )
    # Receipts the resident gave in other threads are gone with those threads; none remain elsewhere.
    db.session.execute(delete(MessageReceipt).where(MessageReceipt.reader_id == user.id))
    attachments.discard_after_commit(keys)
    return keys

"""Mails about messages: content-free notices, the daily summary, the team's overdue reminder and care invitations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from portal.extensions import db
from portal.links import external_url
from portal.models import Message, Organisation, Thread, User
from portal.models.base import utcnow
from portal.services.mail import send_mail
from portal.services.messaging.care_relations import CODE_DAYS, format_code
from portal.services.messaging.threads import not_read_by


def _team_addresses(organisation: Organisation, assignee: User | None) -> list[tuple[str, str]]:
    """Where a team notice goes: the assignee, else the team's own address; (address, language) pairs."""
    if assignee is not None and assignee.is_active_account:
        return [(assignee.email, assignee.locale)]
    return [(organisation.email, "nl")] if organisation.email else []


def notify_team(thread: Thread, organisation: Organisation | None = None) -> int:
    """Tell the team (its assignee or its mailbox) that a message waits, without any content; returns mails queued."""
    organisation = organisation or thread.organisation
    assignee = thread.assignee if organisation.id == thread.organisation_id else None
    link = external_url("professional.inbox", lang="nl")
    queued = 0
    for address, locale in _team_addresses(organisation, assignee):
        queued += send_mail(address, locale, "team_new_message", link=link)
    return queued


def notify_resident(resident: User, message: Message) -> bool:
    """A content-free notice to the resident, when they chose 'at once'; marks the message as notified."""
    if resident.message_notice != "instant" or not resident.is_active_account or resident.deleted_at:
        return False
    message.notified_at = utcnow()
    return send_mail(
        resident.email, resident.locale, "new_message", link=external_url("messages.index", lang=resident.locale)
    )


def _waiting_for(resident_id: int):
    """Messages to the resident, not yet read, not yet in a notice."""
    return (
        select(Message.id)
        .join(Thread, Thread.id == Message.thread_id)
        .where(
            Thread.resident_id == resident_id,
            Message.author_organisation_id.is_not(None),
            Message.notified_at.is_(None),
            not_read_by("resident"),
        )
    )


def send_daily_summaries(now: datetime | None = None) -> int:
    """For cron, daily: one content-free mail per 'daily' resident with unread messages; running twice mails once."""
    now = now or utcnow()
    residents = db.session.scalars(
        select(User).where(
            User.role == "resident",
            User.message_notice == "daily",
            User.is_active_account.is_(True),
            User.id.in_(
                select(Thread.resident_id)
                .join(Message, Message.thread_id == Thread.id)
                .where(Message.notified_at.is_(None), Message.author_organisation_id.is_not(None))
            ),
        )
    )
    sent = 0
    for resident in list(residents):
        ids = list(db.session.scalars(_waiting_for(resident.id)))
        if not ids:
            continue
        claimed = db.session.execute(
            update(Message)
            .where(Message.id.in_(ids), Message.notified_at.is_(None))
            .values(notified_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed and send_mail(
            resident.email,
            resident.locale,
            "message_summary",
            count=claimed,
            link=external_url("messages.index", lang=resident.locale),
        ):
            db.session.commit()
            sent += 1
        else:
            db.session.rollback()
    return sent


def remind_overdue(now: datetime | None = None) -> int:
    """For cron: remind each team once about threads waiting past the promised time; returns mails queued."""
    now = now or utcnow()
    overdue = (
        (Thread.kind == "team")
        & (Thread.status == "open")
        & (Thread.waiting_on == "team")
        & (Thread.reply_due_at < now)
        & Thread.reminded_at.is_(None)
    )
    organisations = list(
        db.session.scalars(
            select(Organisation).where(Organisation.id.in_(select(Thread.organisation_id).where(overdue)))
        )
    )
    queued = 0
    for organisation in organisations:
        ids = list(db.session.scalars(select(Thread.id).where(overdue, Thread.organisation_id == organisation.id)))
        claimed = db.session.execute(
            update(Thread)
            .where(Thread.id.in_(ids), Thread.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            continue
        link = external_url("professional.inbox", lang="nl")
        assignees = db.session.scalars(
            select(User).where(User.id.in_(select(Thread.assignee_id).where(Thread.id.in_(ids))))
        )
        addresses = {(organisation.email, "nl")} if organisation.email else set()
        addresses |= {(user.email, user.locale) for user in assignees if user.is_active_account}
        for address, locale in sorted(addresses):
            queued += send_mail(address, locale, "overdue_threads", count=claimed, link=link)
        db.session.commit()
    return queued


def send_invitation(address: str, organisation: Organisation, code: str, locale: str = "nl") -> bool:
    """Mail a care invitation: the organisation's name, the code and where to enter it; nothing about health."""
    return send_mail(
        address,
        locale,
        "care_invitation",
        organisation=organisation.name,
        code=format_code(code),
        days=CODE_DAYS,
        link=external_url("care_team.join", lang=locale),
    )


def send_relation_confirmed(relation) -> bool:
    """Tell the resident, without details, that there is news about their care team."""
    resident = relation.resident
    if resident is None or not resident.is_active_account:
        return False
    return send_mail(
        resident.email, resident.locale, "care_team_news", link=external_url("care_team.index", lang=resident.locale)
    )

"""Mails about referrals: content-free notices to the referrer, the receiving team and the resident."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.links import external_url
from portal.models import Organisation, Referral, User
from portal.services.mail import send_mail
from portal.services.messaging.care_relations import CARE_ROLES


def team_addresses(organisation: Organisation) -> list[tuple[str, str]]:
    """Where a notice for a team goes: its own address, else each active professional of it; (address, language)."""
    if organisation.email:
        return [(organisation.email, "nl")]
    members = db.session.scalars(
        select(User).where(
            User.organisation_id == organisation.id,
            User.role.in_(CARE_ROLES),
            User.is_active_account.is_(True),
            User.deleted_at.is_(None),
        )
    )
    return [(member.email, member.locale) for member in members]


def notify_receivers(referral: Referral) -> int:
    """Tell the receiving team that a referral (or news on one) waits in its workspace; returns mails queued."""
    link = external_url("professional.referral", lang="nl", referral_id=referral.id)
    return sum(
        send_mail(address, locale, "referral_for_team", link=link)
        for address, locale in team_addresses(referral.organisation)
    )


def notify_referrer(referral: Referral) -> bool:
    """Tell the referring professional (or, when they are gone, their team) that the referral changed."""
    referrer = referral.referrer
    link = external_url("professional.referral", lang="nl", referral_id=referral.id)
    if referrer is not None and referrer.is_active_account and referrer.deleted_at is None:
        return send_mail(referrer.email, referrer.locale, "referral_news", link=link)
    return any(
        send_mail(address, locale, "referral_news", link=link)
        for address, locale in team_addresses(referral.referrer_organisation)
    )


def notify_resident(referral: Referral, template: str = "referral_news") -> bool:
    """Tell the resident, without details, that there is news about a referral (or that it waits for their yes)."""
    resident = referral.resident
    if resident is None or not resident.is_active_account or resident.deleted_at is not None:
        return False
    link = external_url("referrals.detail", lang=resident.locale, referral_id=referral.id)
    return send_mail(resident.email, resident.locale, template, link=link)


def invite_to_health_check(referral: Referral) -> bool:
    """When a referral is completed: invite the resident, content-free, to fill in the health check again."""
    resident = referral.resident
    if resident is None or not resident.is_active_account or resident.deleted_at is not None:
        return False
    link = external_url("health_check.new", lang=resident.locale)
    return send_mail(resident.email, resident.locale, "health_check_invitation", link=link)

"""A resident's referrals in their copy of their data, and gone at erasure."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Programme, Referral, ReferralEvent, User


def referrals_copy(user: User, stamp) -> list[dict]:
    """Every referral of the resident: who referred them to what, the note, the estimate, and every change."""
    statement = (
        select(Referral)
        .where(Referral.resident_id == user.id)
        .options(
            selectinload(Referral.programme).selectinload(Programme.translations),
            selectinload(Referral.events).selectinload(ReferralEvent.actor),
        )
        .order_by(Referral.id)
    )
    return [
        {
            "referred_by": referral.referrer_organisation.name,
            "professional": referral.referrer.display_name if referral.referrer else None,
            "to": referral.organisation.name,
            "programme": referral.programme.text("nl").title if referral.programme else None,
            "route_map": referral.route_map,
            "estimate": referral.levels,
            "note": referral.note,
            "status": referral.status,
            "agreement": referral.agreement,
            "agreed_at": stamp(referral.agreed_at) if referral.agreed_at else None,
            "made_at": stamp(referral.created_at),
            "history": [
                {
                    "at": stamp(event.created_at),
                    "by": event.actor_party,
                    "what": event.kind,
                    "status": event.to_status,
                    "reason": event.reason,
                    "note": event.note,
                }
                for event in referral.events
            ],
        }
        for referral in db.session.scalars(statement)
    ]


def erase(user: User) -> None:
    """Delete the resident's referrals and their history (before their threads and bookings go)."""
    ids = select(Referral.id).where(Referral.resident_id == user.id).scalar_subquery()
    db.session.execute(delete(ReferralEvent).where(ReferralEvent.referral_id.in_(ids)))
    db.session.execute(delete(Referral).where(Referral.resident_id == user.id))

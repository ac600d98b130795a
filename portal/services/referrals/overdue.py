"""When an open referral loop is overdue: no change for 10 working days."""

from __future__ import annotations

from datetime import datetime

from portal.models import Referral
from portal.models.base import utcnow
from portal.services.messaging.working_days import working_days_back
from portal.services.referrals.statuses import OPEN

REMIND_AFTER_WORKING_DAYS = 10
FOLLOW_UP_AFTER_DAYS = 30


def overdue_cutoff(now: datetime | None = None) -> datetime:
    """A referral last changed before this moment has had no change for 10 working days."""
    return working_days_back(now or utcnow(), REMIND_AFTER_WORKING_DAYS)


def overdue_condition(now: datetime | None = None):
    """A SQL condition on Referral: an open loop without a change for 10 working days."""
    return Referral.status.in_(sorted(OPEN)) & (Referral.changed_at < overdue_cutoff(now))


def is_overdue(referral: Referral, now: datetime | None = None) -> bool:
    """True when the referral is open and has not changed for 10 working days."""
    return referral.status in OPEN and referral.changed_at < overdue_cutoff(now)

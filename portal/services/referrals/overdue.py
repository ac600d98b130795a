"""When an open referral loop is overdue: no change for 10 working days."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache

from portal.models import Referral
from portal.models.base import utcnow
from portal.services.messaging.working_days import LOCAL, working_days_back
from portal.services.referrals.statuses import OPEN

REMIND_AFTER_WORKING_DAYS = 10
FOLLOW_UP_AFTER_DAYS = 30


@lru_cache(maxsize=8)
def _cutoff_on(day: date) -> datetime:
    return working_days_back(datetime.combine(day, time(12, 0), tzinfo=LOCAL), REMIND_AFTER_WORKING_DAYS)


def overdue_cutoff(now: datetime | None = None) -> datetime:
    """A referral last changed before this moment has had no change for 10 working days.

    It depends on the local date only, so it is worked out once a day per process (counting working days back
    asks the holiday calendar for every day: several milliseconds a time). A pure function of the date: nothing
    that another worker could see differently."""
    return _cutoff_on((now or utcnow()).astimezone(LOCAL).date())


def overdue_condition(now: datetime | None = None, cutoff=None):
    """A SQL condition on Referral: an open loop without a change for 10 working days. `cutoff` may be a bound
    parameter, for a statement built once (its value then is overdue_cutoff())."""
    cutoff = overdue_cutoff(now) if cutoff is None else cutoff
    return Referral.status.in_(sorted(OPEN)) & (Referral.changed_at < cutoff)


def is_overdue(referral: Referral, now: datetime | None = None) -> bool:
    """True when the referral is open and has not changed for 10 working days."""
    return referral.status in OPEN and referral.changed_at < overdue_cutoff(now)

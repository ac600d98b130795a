"""Who may do what: the one place that decides access, for routes and for objects they name."""

from __future__ import annotations

from portal.models import (
    AwayPeriod,
    Booking,
    CareRelation,
    Invitation,
    Location,
    LoginSession,
    Programme,
    Referral,
    Session,
    Thread,
    User,
)
from portal.services.messaging import care_relations, threads
from portal.services.referrals.referrals import parties_of

# Each route declares one of these policies (see portal/access.py).
PUBLIC = "public"  # anyone, logged in or not
GUEST = "guest"  # login, registration and links from mails: anyone; signed-in users are sent on
SIGNED_IN = "signed_in"  # any account, after password and second factor
RESIDENT = "resident"  # residents only
STAFF = "staff"  # professionals, beweegmakelaars and coordinators
COORDINATOR = "coordinator"  # coordinators only
CARE = "care"  # professionals and beweegmakelaars: the people in a care team

POLICIES = (PUBLIC, GUEST, SIGNED_IN, RESIDENT, STAFF, COORDINATOR, CARE)
_ROLES = {
    CARE: frozenset({"professional", "broker"}),
    SIGNED_IN: frozenset({"resident", "professional", "broker", "admin"}),
    RESIDENT: frozenset({"resident"}),
    STAFF: frozenset({"professional", "broker", "admin"}),
    COORDINATOR: frozenset({"admin"}),
}


def needs_login(policy: str) -> bool:
    """True when the policy admits only signed-in accounts."""
    return policy in _ROLES


def allows(policy: str, user: User | None) -> bool:
    """True when `user` (None: not logged in) may open a route with `policy`."""
    if policy not in POLICIES:
        return False
    if not needs_login(policy):
        return True
    return user is not None and user.role in _ROLES[policy]


def may_end_login(user: User, login: LoginSession | None) -> bool:
    """Only the owner ends one of their logins."""
    return login is not None and login.user_id == user.id


def may_manage_invitation(user: User, invitation: Invitation | None) -> bool:
    """Coordinators manage every invitation."""
    return invitation is not None and user.role == "admin"


def may_manage_account(user: User, account: User | None) -> bool:
    """Coordinators manage other accounts, never their own through the admin pages."""
    return account is not None and user.role == "admin" and account.id != user.id and account.deleted_at is None


def may_manage_listing(user: User, organisation_id: int | None) -> bool:
    """Staff change their own organisation's programmes, sessions and locations; coordinators all."""
    if user.role == "admin":
        return True
    return user.is_staff and organisation_id is not None and user.organisation_id == organisation_id


def may_manage_listing_item(user: User, item: Programme | Session | Location | None) -> bool:
    """may_manage_listing for a programme, session or location: judged by the organisation that owns it."""
    if item is None:
        return False
    owner = item.programme.organisation_id if isinstance(item, Session) else item.organisation_id
    return may_manage_listing(user, owner)


def may_see_booking(user: User, booking: Booking | None) -> bool:
    """A resident sees and cancels only their own bookings."""
    return booking is not None and booking.user_id == user.id


def may_see_participants(user: User, session: Session | None) -> bool:
    """Only staff of the organising organisation see who booked a session (not even coordinators of others)."""
    return session is not None and user.is_staff and user.organisation_id == session.programme.organisation_id


def may_see_thread(user: User, thread: Thread | None) -> bool:
    """The resident it is with or about; a taking-part team while in care (or, consulted, while consented)."""
    return thread is not None and threads.may_read(user, thread)


def may_see_resident(user: User, resident: User | None) -> bool:
    """A professional sees a resident only through an active care relation of their own organisation."""
    return (
        resident is not None
        and resident.role == "resident"
        and resident.deleted_at is None
        and care_relations.in_care_of(user, resident.id)
    )


def may_answer_relation(user: User, relation: CareRelation | None) -> bool:
    """Professionals of the relation's organisation answer a request or end the relation."""
    return care_relations.may_manage(user, relation)


def may_end_own_relation(user: User, relation: CareRelation | None) -> bool:
    """A resident ends (or withdraws) only their own relations."""
    return relation is not None and relation.resident_id == user.id


def may_cancel_away(user: User, period: AwayPeriod | None) -> bool:
    """Only the professional cancels their own away period."""
    return period is not None and period.user_id == user.id


def may_see_referral(user: User, referral: Referral | None) -> bool:
    """The resident it is about; the referring team while the resident is in its care; the receiving team once
    it was sent (not after it was voided as made by mistake)."""
    return referral is not None and bool(parties_of(user, referral))


def may_see_referral_as_staff(user: User, referral: Referral | None) -> bool:
    """Staff on the referring side (resident in their care) or the receiving side (sent, not voided); no resident."""
    return referral is not None and bool(parties_of(user, referral) - {"resident"})

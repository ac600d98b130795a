"""Words for the codes on the pages a person reads about their own data and in the audit log."""

from __future__ import annotations

from portal.labels import ROLE_LABELS
from portal.translation import lazy_gettext as _l

BOOKING_STATUS_LABELS = {
    "confirmed": _l("Booked"),
    "waitlisted": _l("Waiting list"),
    "cancelled": _l("Cancelled"),
}
CANCELLED_BY_LABELS = {
    "resident": _l("by you"),
    "organiser": _l("by the organiser"),
    "erasure": _l("when an account was deleted"),
}
END_REASON_LABELS = {
    "logout": _l("logged out"),
    "password_changed": _l("password changed"),
    "idle": _l("not used for a while"),
    "expired": _l("too old"),
    "ended_by_user": _l("ended by you"),
    "account_closed": _l("account closed"),
    "replaced": _l("replaced by a new login"),
    "too_many_codes": _l("too many wrong codes"),
}
SECOND_FACTOR_LABELS = {"totp": _l("an app on your phone"), "email": _l("a code by email")}
CONSENT_LABELS = {"activity_news": _l("Emails about new activities in your neighbourhood")}
OUTCOME_LABELS = {"success": _l("done"), "denied": _l("refused"), "failure": _l("failed")}
OBJECT_LABELS = {
    "account": _l("account"),
    "audit_log": _l("audit log"),
    "booking": _l("booking"),
    "invitation": _l("invitation"),
    "session_participants": _l("list of participants"),
    "thread": _l("messages"),
    "attachment": _l("attachment"),
    "resident_overview": _l("overview of your care"),
    "resident_search": _l("search among residents"),
    "team_inbox": _l("team inbox"),
    "care_relation": _l("care team"),
    "involvement_consent": _l("consent to consult"),
    "health_check": _l("your health checks"),
    "health_check_estimate": _l("an estimate beside your health check"),
    "health_check_share": _l("sharing your health checks"),
}
RELATION_STATUS_LABELS = {
    "invited": _l("Invited"),
    "requested": _l("Waiting for an answer"),
    "active": _l("In your care team"),
    "ended": _l("Ended"),
    "declined": _l("Not accepted"),
}
THREAD_EVENT_LABELS = {
    "claimed": _l("took the thread"),
    "handed_over": _l("handed the thread over to"),
    "closed": _l("closed the thread"),
    "reopened": _l("opened the thread again"),
    "returned": _l("is away; the thread went back to the team"),
}

DETAIL_LABELS = {
    "language": _l("language"),
    "password_changed": _l("password changed"),
    "password_reset": _l("new password through the email link"),
    "second_factor_email": _l("login codes by email"),
    "second_factor_app": _l("authenticator app set up"),
    "recovery_codes": _l("new recovery codes"),
    "login_ended": _l("a login ended"),
    "consent_give": _l("consent given"),
    "consent_withdraw": _l("consent withdrawn"),
    "registered": _l("account made"),
    "email_confirmed": _l("email address confirmed"),
    "device_unlocked": _l("logging in allowed again on a device"),
    "from_invitation": _l("staff account made through an invitation"),
    "deactivated": _l("blocked"),
    "reactivated": _l("unblocked"),
    "second factor reset": _l("second step of logging in reset"),
    "ended": _l("ended"),
    "consult_give": _l("consent given"),
    "consult_withdraw": _l("consent withdrawn"),
    "share_give": _l("health checks shared"),
    "share_withdraw": _l("health checks no longer shared"),
}


def _label(labels: dict, code: str | None) -> str:
    """The words for `code`, or the code itself when it has none (never an empty cell)."""
    if code is None:
        return "—"
    return str(labels.get(code, code))


def booking_status_label(code: str) -> str:
    """'Booked', 'Waiting list' or 'Cancelled'."""
    return _label(BOOKING_STATUS_LABELS, code)


def cancelled_by_label(code: str) -> str:
    """Who cancelled a booking, as words."""
    return _label(CANCELLED_BY_LABELS, code)


def end_reason_label(code: str | None) -> str:
    """Why a login ended, as words."""
    return _label(END_REASON_LABELS, code)


def second_factor_label(code: str | None) -> str:
    """The second step of logging in, as words."""
    return _label(SECOND_FACTOR_LABELS, code)


def consent_label(code: str) -> str:
    """What a consent was given for, as words."""
    return _label(CONSENT_LABELS, code)


def outcome_label(code: str) -> str:
    """The outcome of an audited act, as words."""
    return _label(OUTCOME_LABELS, code)


def object_label(code: str) -> str:
    """The kind of thing an audit record is about, as words."""
    return _label(OBJECT_LABELS, code)


def detail_label(code: str) -> str:
    """The details of an audit record in words: a change, a role, or the page of a search."""
    if code.startswith("page ") and code[5:].isdigit():
        return str(_l("page %(num)s", num=int(code[5:])))
    if code in ROLE_LABELS:
        return str(ROLE_LABELS[code])
    return _label(DETAIL_LABELS, code)


def person_name(user, recorded_name: str = "") -> str:
    """A person's name in the audit log: their name now, the recorded one, or 'deleted account'."""
    if user is not None and user.display_name:
        return user.display_name
    return recorded_name or str(_l("deleted account"))


def relation_status(code: str) -> str:
    """The status of a care relation, as words."""
    return _label(RELATION_STATUS_LABELS, code)


def thread_event_label(code: str) -> str:
    """What a professional did with a thread, as words."""
    return _label(THREAD_EVENT_LABELS, code)


LABEL_FUNCTIONS = (
    relation_status,
    thread_event_label,
    detail_label,
    person_name,
    booking_status_label,
    cancelled_by_label,
    end_reason_label,
    second_factor_label,
    consent_label,
    outcome_label,
    object_label,
)

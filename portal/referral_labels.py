"""The translated words of referrals: statuses (for staff and in plain words for residents), reasons, waits,
history lines, capacity answers and error messages."""

from __future__ import annotations

from functools import cache
from types import MappingProxyType

from flask_babel import force_locale

from portal.translation import lazy_gettext as _l

# i18n: the status of a referral, for professionals (FHIR Task status codes).
STATUS_LABELS = {
    "draft": _l("Draft: waiting for agreement"),
    "requested": _l("Sent, not yet answered"),
    "accepted": _l("Accepted"),
    "rejected": _l("Declined"),
    "cancelled": _l("Cancelled"),
    "in-progress": _l("Started"),
    "on-hold": _l("On hold"),
    "failed": _l("Did not work out"),
    "completed": _l("Completed"),
    "entered-in-error": _l("Made by mistake"),
}
# i18n: the status of a referral in plain words, for the resident it is about.
RESIDENT_STATUS = {
    "draft": _l("Waiting for your answer. Do you agree with this referral?"),
    "requested": _l("Sent. The team will contact you."),
    "accepted": _l("The team has said yes. You will make an appointment together."),
    "rejected": _l("The team cannot help you now. Your care provider will look for something else with you."),
    "cancelled": _l("Stopped. This referral is no longer going on."),
    "in-progress": _l("You have started."),
    "on-hold": _l("Paused for now. The team will let you know."),
    "failed": _l("It did not work out. Your care provider will talk with you about it."),
    "completed": _l("Finished."),
    "entered-in-error": _l("This referral was made by mistake. You do not need to do anything."),
}
# i18n: why a referral changed; shown to professionals and residents.
REASON_LABELS = {
    "no_capacity": _l("No place now"),
    "waiting_list": _l("On the waiting list"),
    "resident_asked_to_wait": _l("The resident asked to wait"),
    "not_eligible": _l("Does not fit this offer"),
    "referred_elsewhere": _l("Referred to another offer"),
    "could_not_contact": _l("Could not make contact"),
    "no_longer_interested": _l("No longer interested"),
    "resident_declined": _l("The resident does not want this referral"),
    "did_not_attend": _l("Did not come"),
    "could_not_get_help": _l("Could not get the help needed"),
    "got_help": _l("Got help"),
    "got_help_elsewhere": _l("Got help somewhere else"),
    "made_by_mistake": _l("Made by mistake"),
    "other": _l("Other reason"),
}
WAIT_LABELS = {
    "lt_1m": _l("Less than 1 month"),
    "1_3m": _l("1 to 3 months"),
    "gt_3m": _l("More than 3 months"),
}
# i18n: the button that moves a referral to this status.
ACTION_LABELS = {
    "requested": _l("Send"),
    "accepted": _l("Accept"),
    "rejected": _l("Decline"),
    "on-hold": _l("Put on hold"),
    "in-progress": _l("Mark as started"),
    "completed": _l("Complete"),
    "failed": _l("Mark as not worked out"),
    "cancelled": _l("Cancel the referral"),
}
PARTY_LABELS = {
    "referrer": _l("referrer"),
    "receiver": _l("receiving team"),
    "resident": _l("resident"),
    "system": _l("Wijkportaal"),
}
EVENT_LABELS = {
    "agreed": _l("Agreement recorded"),
    "booked": _l("Booked the offered session"),
    "reopened": _l("Opened again"),
    "reminded": _l("Reminder sent to the team"),
    "follow_up_asked": _l("Resident asked how it goes"),
    "follow_up": _l("Resident answered how it goes"),
}
# i18n: the resident's answer to "Are you going?" (to the offer they were referred to), 30 days after acceptance.
FOLLOW_UP_GOING = {
    "yes": _l("Yes"),
    "not_yet": _l("Not yet"),
    "no": _l("No"),
}
# i18n: the resident's answer to "Does it help?", 30 days after acceptance.
FOLLOW_UP_HELPS = {
    "yes": _l("Yes"),
    "a_little": _l("A little"),
    "no": _l("No"),
    "not_started": _l("Not started yet"),
}
ROOM_LABELS = {
    "yes": _l("Has room"),
    "waitlist": _l("Full: waiting list"),
    "no_sessions": _l("No sessions planned: the team makes an appointment"),
}
ERRORS = {
    "no_relation": _l("You can only refer a resident who is in your care."),
    "offer_unavailable": _l("This offer is no longer available. Please choose another one."),
    "no_offer": _l("Please choose an offer or an organisation."),
    "bad_route_map": _l("This route map or step does not exist."),
    "bad_level": _l("Please choose only from the list."),
    "note_empty": _l("Please write a note."),
    "note_too_long": _l("This note is too long."),
    "stale": _l("Someone changed this referral in the meantime. Please look at it again and try once more."),
    "not_allowed": _l("You cannot make this change."),
    "bad_status": _l("Please choose only from the list."),
    "reason_needed": _l("Please choose a reason."),
    "bad_reason": _l("Please choose a reason from the list."),
    "wait_needed": _l("Please choose how long the wait is."),
    "bad_wait": _l("Please choose only from the list."),
    "bad_slot": _l("This session can no longer be offered or booked. Please choose another one."),
    "closed": _l("This referral is closed."),
    "bad_answer": _l("Please choose one answer to each question."),
}


def error_text(code: str) -> str:
    """The translated message for a ReferralError code (or a general one)."""
    return str(ERRORS.get(code, _l("This did not work. Please try again.")))


# For templates: `referral_words.status[code]`, `referral_words.reason[code]` and so on.
WORDS = {
    "status": STATUS_LABELS,
    "resident_status": RESIDENT_STATUS,
    "reason": REASON_LABELS,
    "wait": WAIT_LABELS,
    "action": ACTION_LABELS,
    "party": PARTY_LABELS,
    "event": EVENT_LABELS,
    "room": ROOM_LABELS,
    "follow_up_going": FOLLOW_UP_GOING,
    "follow_up_helps": FOLLOW_UP_HELPS,
}


@cache
def words_in(locale: str) -> MappingProxyType:
    """WORDS as text in `locale`, worked out once per process and language (they come from the code and the
    catalogs only): for lists that show a status on every line, where each lazy label is translated again."""
    with force_locale(locale):
        texts = {
            kind: MappingProxyType({code: str(label) for code, label in labels.items()})
            for kind, labels in WORDS.items()
        }
    return MappingProxyType(texts)  # shared by every request: read-only

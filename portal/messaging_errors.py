"""The words for the codes that messaging and care relation services raise, for every blueprint that shows them."""

from __future__ import annotations

from portal.translation import lazy_gettext as _l

ERRORS = {
    "no_relation": _l("You can only write to a team that helps you. Look at My care team."),
    "not_allowed": _l("You cannot do this here."),
    "subject_empty": _l("Please write a subject."),
    "subject_too_long": _l("The subject is too long."),
    "body_empty": _l("Please write your message."),
    "body_too_long": _l("Your message is too long. Please make it shorter."),
    "duplicate": _l("This message was already sent."),
    "stale": _l("Someone changed this in the meantime. Please look at the page again and try again."),
    "bad_colleague": _l("Please choose a colleague of your own team."),
    "note_too_long": _l("The note is too long."),
    "same_team": _l("Please choose another team than your own."),
    "no_consent": _l("The resident has not agreed that this team may be involved."),
    "bad_code": _l("This code is not right, or it is no longer valid. Please check it, or ask for a new code."),
    "already": _l("You are already in the care of this organisation, or your request is waiting."),
    "bad_days": _l("Please choose a last day that is on or after the first day, and not in the past."),
    "bad_cover": _l("Please choose a colleague of your own team."),
    "too_many": _l("You tried too many codes. Please wait an hour and try again."),
    "bad_slot": _l("This time can no longer be offered. Please choose another time."),
    "empty": _l("One of the files is empty."),
    "too_large": _l("One of the files is too large. Each file can be at most 5 MB."),
    "too_many_files": _l("You can send at most 3 files with one message."),
    "unknown_type": _l("You can only send photos (JPEG, PNG) and PDF files."),
    "damaged": _l("One of the files cannot be opened. Please try another file."),
    "unsafe_pdf": _l("This PDF file contains parts we do not accept, such as scripts. Please send another file."),
}


def error_text(code: str) -> str:
    """The translated sentence for a service's error code."""
    return str(ERRORS.get(code, ERRORS["not_allowed"]))

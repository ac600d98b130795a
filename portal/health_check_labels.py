"""The translated words of the health check: the mark, the four domains, the questions and error messages."""

from __future__ import annotations

from portal.translation import lazy_gettext as _l

# i18n: the names of the cijfer voor gezondheid and the four domains of the 4D model.
NAMES = {
    "mark": _l("Your health"),
    "body": _l("Body"),
    "mind": _l("Mind"),
    "social": _l("People around you"),
    "societal": _l("Daily life and society"),
}
# i18n: the one plain question per mark, as the resident reads it (and hears it read aloud).
QUESTIONS = {
    "mark": _l("What mark from 1 to 10 do you give your health?"),
    "body": _l("How is your body? Think of pain, sleep, moving and eating."),
    "mind": _l("How do you feel inside? Think of worries, mood and stress."),
    "social": _l("How is it with the people around you? Think of family, friends and neighbours."),
    "societal": _l("How is your daily life? Think of money, work, housing and things to do."),
}
# i18n: the optional conversation questions of the cijfer voor gezondheid.
CONVERSATION = {
    "keeps": _l("What keeps your mark where it is?"),
    "higher": _l("What would make your mark one point higher?"),
    "not_lower": _l("Why is your mark not one point lower?"),
}
# i18n: an error on the health check form; the field's name is shown beside it.
ERRORS = {
    "missing": _l("Please choose a mark from 1 to 10."),
    "not_a_number": _l("Please choose a mark from 1 to 10. A mark is a whole number."),
    "out_of_range": _l("Please choose a mark from 1 to 10."),
    "too_long": _l("Use at most %(max)s characters.", max=1000),
    "bad_characters": _l("Please use only normal letters, numbers and punctuation."),
    "unknown": _l("Please choose only from the list."),
}


def error_text(problem: str) -> str:
    """The translated message for an AnswerError problem code (or a general one)."""
    return str(ERRORS.get(problem, _l("This did not work. Please try again.")))


# For templates: `health_check_words.name[key]`, `health_check_words.question[key]` and so on.
WORDS = {"name": NAMES, "question": QUESTIONS, "conversation": CONVERSATION, "error": ERRORS}

"""Reading a submitted check with every problem at once (not only the first), for the form to show them all."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from portal.services.health_check.answers import QUESTIONS, AnswerError, Answers, from_form

# What a field is replaced by once its problem is noted, so from_form goes on to the next field.
_HARMLESS = {"talk": []} | dict.fromkeys(QUESTIONS, [""])
MARK_STAND_IN = ["1"]


def read(form) -> tuple[Answers | None, dict[str, str]]:
    """(answers, {}) for a good submission; (None, {field code: problem code}) with every bad field otherwise.

    The rules are answers.from_form's own: each bad field is noted and replaced by a harmless value, and the form is
    read again, until nothing is wrong."""
    values = MultiDict(form)
    problems: dict[str, str] = {}
    while True:
        try:
            answers = from_form(values)
        except AnswerError as error:
            if error.code in problems:  # cannot happen with from_form's rules; never loop forever
                raise
            problems[error.code] = error.problem
            values.setlist(error.code, _HARMLESS.get(error.code, MARK_STAND_IN))
            continue
        return (None, problems) if problems else (answers, {})

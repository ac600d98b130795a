"""PortalForm: the base of every form; it refuses control characters in every submitted text before other checks."""

from __future__ import annotations

from collections.abc import Iterator

from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField, TextAreaField

from portal.services.text_rules import bad_characters
from portal.translation import lazy_gettext as _l

MSG_BAD_CHARACTERS = _l("Please use only normal letters, numbers and punctuation.")


def _fields(form) -> Iterator[Field]:
    """Every leaf field of a form, also inside FormField and FieldList."""
    for field in form:
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from _fields(entry.form) if isinstance(entry, FormField) else [entry]
        else:
            yield field


def has_bad_characters(field: Field) -> bool:
    """True when any text the browser sent for `field` breaks the text rule (text areas may hold line breaks)."""
    multiline = isinstance(field, TextAreaField)
    texts = [value for value in (field.raw_data or []) if isinstance(value, str)]
    return any(bad_characters(text, multiline=multiline) for text in texts)


def refuse_bad_characters(form) -> bool:
    """Put the message on each field with a refused character; True when there was none."""
    clean = True
    for field in _fields(form):
        if has_bad_characters(field):
            field.errors = [MSG_BAD_CHARACTERS]
            clean = False
    return clean


class PortalForm(FlaskForm):
    """A FlaskForm whose submitted texts follow the text rule; when one does not, no other check runs."""

    def validate(self, extra_validators=None) -> bool:
        """Refuse control characters first (so no validator or query sees them), then the usual checks."""
        if not refuse_bad_characters(self):
            return False
        return super().validate(extra_validators)

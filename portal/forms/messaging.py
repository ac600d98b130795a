"""Forms of messaging: a new question, a reply, thread actions, invitations and codes, away periods, notices."""

from __future__ import annotations

import secrets

from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import HiddenInput

from portal.forms.base import PortalForm
from portal.forms.fields import required, strip
from portal.services.accounts.users import EMAIL_PATTERN
from portal.services.booking.places import IDEMPOTENCY_KEY
from portal.services.messaging.threads import MAX_BODY, MAX_SUBJECT
from portal.translation import lazy_gettext as _l

MSG_TOO_LONG = _l("Please use at most %(max)d characters.")


def body_field(label=None) -> TextAreaField:
    """The text of a message: required, at most MAX_BODY characters."""
    return TextAreaField(
        label or _l("Your message"),
        filters=[strip],
        validators=[required(_l("Please write your message.")), Length(max=MAX_BODY, message=MSG_TOO_LONG)],
    )


def subject_field() -> StringField:
    """The subject of a new thread."""
    return StringField(
        _l("Subject"),
        description=_l("A few words, for example: question about my medicine."),
        filters=[strip],
        validators=[required(_l("Please write a subject.")), Length(max=MAX_SUBJECT, message=MSG_TOO_LONG)],
    )


class KeyedForm(PortalForm):
    """A form that makes something once: a double click or a retried POST sends one message."""

    # Hidden fields name their label ("Key", "Version": WTForms' own text for them): without one, WTForms asks its
    # catalog for it, and Flask-WTF read that catalog from disk on every page with such a form.
    key = HiddenField("Key", validators=[InputRequired(), Regexp(IDEMPOTENCY_KEY)])

    def new_key(self) -> None:
        """Give a fresh form its idempotency key."""
        self.key.data = secrets.token_urlsafe(16)


def files_field() -> MultipleFileField:
    """Photos or PDF files sent with a message (optional)."""
    return MultipleFileField(
        _l("Add a photo or PDF file"),
        description=_l("Optional. At most 3 files of 5 MB each: photos (JPEG, PNG) or PDF files."),
    )


class NewThreadForm(KeyedForm):
    """A resident's new question to one of their teams."""

    organisation = SelectField(_l("To"), coerce=int, validators=[required(_l("Please choose who you write to."))])
    subject = subject_field()
    body = body_field()
    files = files_field()


class ReplyForm(KeyedForm):
    """A message in an existing thread."""

    body = body_field()
    files = files_field()


class TeamReplyForm(ReplyForm):
    """A professional's answer, which can offer one of the team's consult slots."""

    slot = SelectField(_l("Offer a time for an appointment"), coerce=int, validators=[Optional()], default=0)


class ThreadActionForm(PortalForm):
    """Claim, close or reopen: the thread's version, so that a stale page is refused."""

    version = IntegerField(
        "Version", widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)]
    )


class HandOverForm(ThreadActionForm):
    """Give a thread to a colleague, with a note for them."""

    colleague = SelectField(_l("Colleague"), coerce=int, validators=[required(_l("Please choose a colleague."))])
    note = TextAreaField(
        _l("Note for your colleague"), filters=[strip], validators=[Optional(), Length(max=1000, message=MSG_TOO_LONG)]
    )


class InviteForm(PortalForm):
    """Invite a resident: with a printed code, and by mail when an address is given."""

    email = EmailField(
        _l("Email address of the resident"),
        description=_l("Optional. We email the code to this address, without any other information."),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=254, message=_l("This email address is too long.")),
            Regexp(EMAIL_PATTERN, message=_l("Please fill in an email address like name@example.nl.")),
        ],
    )


class CodeForm(PortalForm):
    """A resident enters the code they got from their care provider."""

    code = StringField(
        _l("Code"),
        description=_l("The code is on the paper or in the email you got. For example: ABCDE-FGHJK."),
        filters=[strip],
        validators=[required(_l("Please fill in the code.")), Length(max=40, message=MSG_TOO_LONG)],
    )


class ConsultationForm(KeyedForm):
    """Open a consultation with another organisation's team about a resident."""

    partner = SelectField(_l("Consult"), coerce=int, validators=[required(_l("Please choose a team."))])
    subject = subject_field()
    body = body_field()


class AwayForm(PortalForm):
    """An away period with the colleague who covers."""

    first_day = DateField(_l("First day away"), validators=[required(_l("Please fill in a date."))])
    last_day = DateField(_l("Last day away"), validators=[required(_l("Please fill in a date."))])
    cover = SelectField(_l("Colleague who covers"), coerce=int, validators=[Optional()])


NOTICE_CHOICES = [
    SelectChoice("instant", _l("At once, for every new message")),
    SelectChoice("daily", _l("Once a day, when there are new messages")),
    SelectChoice("none", _l("Never: I look in the portal myself")),
]


class NoticeForm(PortalForm):
    """How a resident hears of new messages."""

    notice = RadioField(
        _l("When do you want an email about new messages?"),
        choices=NOTICE_CHOICES,
        validators=[required(_l("Please choose one."))],
    )


class ReplyDaysForm(PortalForm):
    """Within how many working days the team answers."""

    reply_days = IntegerField(
        _l("We answer within this many working days"),
        validators=[required(), NumberRange(min=1, max=10, message=_l("Please choose a number from 1 to 10."))],
    )

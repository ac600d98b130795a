"""Forms of referrals: referring a resident, changing the status with a reason, voiding, reopening, answering,
and the resident's answer to the follow-up question."""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import HiddenInput

from portal.forms.base import PortalForm
from portal.forms.fields import required, strip
from portal.forms.messaging import MSG_TOO_LONG, KeyedForm, body_field
from portal.referral_labels import FOLLOW_UP_GOING, FOLLOW_UP_HELPS
from portal.services.booking.places import IDEMPOTENCY_KEY
from portal.services.referrals.followup import MAX_ANSWER_NOTE
from portal.services.referrals.referrals import MAX_NOTE, MAX_REASON_NOTE
from portal.services.routekaarten.labels import ANY_LEVEL_LABEL, DIMENSION_LABELS, LEVEL_LABELS
from portal.services.routekaarten.model import LEVELS
from portal.translation import lazy_gettext as _l


def _level_field(dimension: str) -> RadioField:
    choices = [SelectChoice("", ANY_LEVEL_LABEL)] + [SelectChoice(level, LEVEL_LABELS[level]) for level in LEVELS]
    return RadioField(DIMENSION_LABELS[dimension], choices=choices, default="", validators=[Optional()])


AGREEMENT_CHOICES = [
    SelectChoice("consultation", _l("The resident agreed in our conversation. Send the referral now.")),
    SelectChoice("resident", _l("Ask the resident to agree in Wijkportaal first. Until then it stays a draft.")),
]


class ReferForm(KeyedForm):
    """A professional refers a resident in their care to an offer."""

    resident = SelectField(_l("Resident"), coerce=int, validators=[required(_l("Please choose a resident."))])
    zelfredzaamheid = _level_field("zelfredzaamheid")
    gezondheidsvaardigheden = _level_field("gezondheidsvaardigheden")
    motivatie = _level_field("motivatie")
    note = TextAreaField(
        _l("Handover note"),
        description=_l("Why you refer, and what the team should know. The resident can read this note too."),
        filters=[strip],
        validators=[
            required(_l("Please write a short handover note.")),
            Length(max=MAX_NOTE, message=MSG_TOO_LONG),
        ],
    )
    agreement = RadioField(
        _l("Agreement of the resident"), choices=AGREEMENT_CHOICES, validators=[required(_l("Please choose one."))]
    )
    route_map = HiddenField()
    step = HiddenField()

    def levels(self) -> dict[str, str]:
        """The estimate on the route map's three dimensions ('' for not estimated)."""
        return {
            name: getattr(self, name).data or "" for name in ("zelfredzaamheid", "gezondheidsvaardigheden", "motivatie")
        }


class VersionForm(PortalForm):
    """A change to a referral made from a page showing one version of it; a stale page is refused."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])


def _reason_note() -> TextAreaField:
    return TextAreaField(
        _l("Note"),
        description=_l("Needed when you choose 'other reason'."),
        filters=[strip],
        validators=[Optional(), Length(max=MAX_REASON_NOTE, message=MSG_TOO_LONG)],
    )


class StatusForm(VersionForm):
    """Move a referral to another status, with a reason from the fixed list where one is needed."""

    status = HiddenField(validators=[InputRequired()])
    reason = StringField(_l("Reason"), filters=[strip], validators=[Optional(), Length(max=30)])
    wait = StringField(_l("Expected wait"), filters=[strip], validators=[Optional(), Length(max=10)])
    note = _reason_note()


class NoteForm(VersionForm):
    """Void or reopen a referral: a note saying why is required."""

    note = TextAreaField(
        _l("Why?"),
        filters=[strip],
        validators=[required(_l("Please write why.")), Length(max=MAX_REASON_NOTE, message=MSG_TOO_LONG)],
    )


class HandoverMessageForm(KeyedForm):
    """A message in the referral's handover thread; the receiving team may offer a session with it."""

    body = body_field()
    slot = SelectField(_l("Offer a session or appointment"), coerce=int, validators=[Optional()], default=0)


class BookOfferForm(PortalForm):
    """The resident books the session offered in the handover thread."""

    message = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
    key = HiddenField(validators=[InputRequired(), Regexp(IDEMPOTENCY_KEY)])


RESIDENT_DECLINE_CHOICES = [
    SelectChoice("resident_declined", _l("I do not want this referral")),
    SelectChoice("no_longer_interested", _l("I no longer need it")),
    SelectChoice("got_help_elsewhere", _l("I got help somewhere else")),
]


class DeclineForm(VersionForm):
    """The resident stops a referral, with a reason from a short list and an optional note."""

    reason = RadioField(
        _l("Why do you want to stop?"),
        choices=RESIDENT_DECLINE_CHOICES,
        validators=[required(_l("Please choose one."))],
    )
    note = TextAreaField(
        _l("Anything else you want to say? (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=MAX_REASON_NOTE, message=MSG_TOO_LONG)],
    )


class FollowUpForm(KeyedForm):
    """The resident's answer, some weeks after the team said yes: am I going, does it help, and a note."""

    going = RadioField(
        _l("Are you going?"),
        choices=[SelectChoice(code, label) for code, label in FOLLOW_UP_GOING.items()],
        validators=[required(_l("Please choose one."))],
    )
    helps = RadioField(
        _l("Does it help?"),
        choices=[SelectChoice(code, label) for code, label in FOLLOW_UP_HELPS.items()],
        validators=[required(_l("Please choose one."))],
    )
    note = TextAreaField(
        _l("Anything else you want to tell your care provider?"),
        filters=[strip],
        validators=[Optional(), Length(max=MAX_ANSWER_NOTE, message=MSG_TOO_LONG)],
    )

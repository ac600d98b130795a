"""Forms of the coordinator's pages: invitations, account search and the audit log search."""

from __future__ import annotations

from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from portal.forms.base import PortalForm
from portal.forms.fields import email_field, language_field, required, strip
from portal.labels import AUDIT_ACTION_LABELS, ROLE_LABELS
from portal.models.base import MAX_ID
from portal.translation import lazy_gettext as _l


class InviteForm(PortalForm):
    """Invite a professional, beweegmakelaar or coordinator of an organisation."""

    email = email_field()
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(code, ROLE_LABELS[code]) for code in ("professional", "broker", "admin")],
        validators=[required(_l("Please choose a role."))],
    )
    organisation = SelectField(_l("Organisation"), coerce=int, validators=[required(_l("Please choose one."))])
    language = language_field(_l("Language for pages and emails"))


class AccountSearchForm(PortalForm):
    """Find an account by name or email address (a GET form)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Name or email address"),
        filters=[strip],
        validators=[Optional(), Length(max=100, message=_l("Please use at most %(max)d characters."))],
    )


class AuditSearchForm(PortalForm):
    """Search the audit log (a GET form; every field optional)."""

    class Meta:
        csrf = False

    actor = IntegerField(
        _l("Done by (account number)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_ID, message=_l("Please fill in an account number."))],
    )
    subject = IntegerField(
        _l("Whose data (account number)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_ID, message=_l("Please fill in an account number."))],
    )
    action = SelectField(
        _l("What was done"),
        choices=[SelectChoice("", _l("Everything"))]
        + [SelectChoice(code, label) for code, label in AUDIT_ACTION_LABELS.items()],
        validators=[Optional()],
    )
    since = DateField(_l("From (date)"), validators=[Optional()])
    until = DateField(_l("Up to and including (date)"), validators=[Optional()])

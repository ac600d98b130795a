"""Forms of the health check: the check itself (its marks and texts are read by the health check service) and the
reminder interval."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice

from portal.forms.base import PortalForm
from portal.forms.fields import required
from portal.forms.messaging import KeyedForm
from portal.services.health_check.reminders import INTERVALS
from portal.translation import lazy_gettext as _l

REMINDER_OFF = "off"
REMINDER_LABELS = {
    REMINDER_OFF: _l("No reminders"),
    4: _l("Every 4 weeks (about once a month)"),
    8: _l("Every 8 weeks (about once in two months)"),
    13: _l("Every 13 weeks (about once in three months)"),
}


class HealthCheckForm(KeyedForm):
    """A filled-in check: the CSRF token and the idempotency key; portal.services.health_check.answers reads the
    marks, the texts and the domains to talk about from the same request."""


class ReminderForm(PortalForm):
    """How often the resident wants to be reminded to fill in the check again."""

    every = RadioField(
        _l("Remind me by email"),
        choices=[SelectChoice(str(value), REMINDER_LABELS[value]) for value in (REMINDER_OFF, *INTERVALS)],
        default=REMINDER_OFF,
        validators=[required(_l("Please choose one."))],
    )

    def weeks(self) -> int | None:
        """The chosen interval in weeks, or None for no reminders."""
        return None if self.every.data == REMINDER_OFF else int(self.every.data)

"""The resident's booking form: a button, a CSRF token and an idempotency key."""

from __future__ import annotations

import secrets

from wtforms import HiddenField
from wtforms.validators import InputRequired, Regexp

from portal.forms.base import PortalForm
from portal.services.booking.places import IDEMPOTENCY_KEY


class BookingForm(PortalForm):
    """Book a place; the key makes a double click or a retried POST book once."""

    key = HiddenField(validators=[InputRequired(), Regexp(IDEMPOTENCY_KEY)])

    def new_key(self) -> None:
        """Give a fresh form its idempotency key."""
        self.key.data = secrets.token_urlsafe(16)

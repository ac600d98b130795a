"""Forms of the care side of the health check: sharing with a team, and a professional's estimate."""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from portal.forms.base import PortalForm
from portal.models.base import MAX_ID
from portal.translation import lazy_gettext as _l

SHARE_CHOICES = ("share", "stop")


class ShareForm(PortalForm):
    """Share my checks with one organisation of my care team, or stop sharing."""

    organisation = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    choice = HiddenField(validators=[InputRequired(), AnyOf(SHARE_CHOICES)])


class EstimateForm(PortalForm):
    """The professional's estimate of the mark, and optionally of each domain; the service checks each 1 to 10."""

    mark = StringField(_l("Your estimate of the mark (1 to 10)"))
    body = StringField()
    mind = StringField()
    social = StringField()
    societal = StringField()

    def domain_values(self) -> dict[str, str]:
        """The domain marks as typed, for the service to check."""
        return {name: self[name].data or "" for name in ("body", "mind", "social", "societal")}

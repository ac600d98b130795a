"""The CSV import form: programmes or sessions, and the file."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectChoice, SelectField

from portal.forms.base import PortalForm
from portal.forms.fields import required
from portal.translation import lazy_gettext as _l


class ImportForm(PortalForm):
    """Upload a CSV file of programmes or sessions."""

    kind = SelectField(
        _l("What is in the file"),
        choices=[SelectChoice("programmes", _l("Programmes")), SelectChoice("sessions", _l("Sessions"))],
        validators=[required()],
    )
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(message=_l("Please choose a file.")),
            FileAllowed(["csv", "txt"], message=_l("Please choose a .csv file.")),
        ],
    )

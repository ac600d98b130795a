"""Forms of the beweegmakelaar's pages: programme, sessions, location and CSV import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms.fields import EMAIL_PATTERN, no_control_characters, required, strip
from portal.labels import AUDIENCE_LABELS, CATEGORY_LABELS
from portal.services.listings.editing import FIT_DIMENSIONS, FIT_LEVELS
from portal.services.routekaarten.labels import DIMENSION_LABELS, LEVEL_LABELS
from portal.services.slugs import SLUG_PATTERN

SPOKEN_LANGUAGES = ("nl", "en", "tr", "ar", "ber", "pl", "so", "ti", "fa", "es", "fr", "de", "uk")
TOO_LONG = _l("Please use at most %(max)d characters.")
MAX_DESCRIPTION = 20_000


class CheckboxList(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _number(label, low: int, high: int, **options) -> IntegerField:
    """A required whole number from `low` to `high`, with translated messages."""
    return IntegerField(
        label,
        validators=[
            required(_l("Please fill in a number.")),
            NumberRange(min=low, max=high, message=_l("Please fill in a number from %(min)s to %(max)s.")),
        ],
        **options,
    )


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in labels.items()]


class ProgrammeTextForm(Form):
    """The texts of a programme in one language."""

    title = StringField(
        _l("Title"), filters=[strip], validators=[Length(max=160, message=TOO_LONG), no_control_characters]
    )
    summary = StringField(
        _l("Summary in one sentence"), filters=[strip], validators=[Length(max=300, message=TOO_LONG)]
    )
    description = TextAreaField(
        _l("Description"),
        description=_l("You can use Markdown: **bold**, lists with -, and links."),
        filters=[strip],
        validators=[Length(max=MAX_DESCRIPTION, message=TOO_LONG)],
    )
    referral = StringField(_l("How to get a referral"), filters=[strip], validators=[Length(max=300, message=TOO_LONG)])

    def validate_summary(self, field) -> None:
        """A title needs a summary, and the other way round."""
        if bool(self.title.data) != bool(field.data):
            raise ValidationError(_l("Fill in both the title and the summary, or neither."))


class ProgrammeForm(FlaskForm):
    """A programme: texts per language (Dutch required), what, for whom, cost, contact, where and route-map fit."""

    slug = StringField(
        _l("Web address name"),
        description=_l(
            "Lower-case letters, digits and dashes, for example wandelen-in-het-park. It cannot change later."
        ),
        filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[
            Optional(),
            Length(max=80, message=TOO_LONG),
            Regexp(SLUG_PATTERN, message=_l("Use only lower-case letters, digits and dashes.")),
        ],
    )
    nl = FormField(ProgrammeTextForm, _l("Dutch (required)"))
    en = FormField(ProgrammeTextForm, _l("English (optional)"))
    tr = FormField(ProgrammeTextForm, _l("Turkish (optional)"))
    ar = FormField(ProgrammeTextForm, _l("Arabic (optional)"))
    category = SelectField(_l("Kind of activity"), choices=_choices(CATEGORY_LABELS), validators=[required()])
    audiences = CheckboxList(_l("For whom"), choices=_choices(AUDIENCE_LABELS), validators=[Optional()])
    languages = CheckboxList(_l("Languages spoken"), choices=[], validators=[Optional()])
    cost_euros = DecimalField(
        _l("Cost per time, in euros"),
        places=2,
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=1000, message=_l("Please fill in an amount from 0 to 1000 euros.")),
        ],
    )
    referral_required = BooleanField(_l("A referral is needed"))
    cancel_cutoff_hours = IntegerField(
        _l("Residents can cancel online until how many hours before the start"),
        default=2,
        validators=[
            Optional(),
            NumberRange(min=0, max=168, message=_l("Please fill in a number from %(min)s to %(max)s.")),
        ],
        description=_l("0 to 168 hours; empty means 2 hours. After that, residents call or email you."),
    )
    contact_name = StringField(_l("Contact person"), filters=[strip], validators=[Length(max=120, message=TOO_LONG)])
    contact_phone = StringField(
        _l("Phone"),
        filters=[strip],
        validators=[
            Length(max=40, message=TOO_LONG),
            Regexp(r"^[0-9+ ()-]*$", message=_l("Use only digits, spaces and + ( ) -.")),
        ],
    )
    contact_email = StringField(
        _l("Email address"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=254, message=TOO_LONG),
            Regexp(EMAIL_PATTERN, message=_l("Please fill in an email address like name@example.nl.")),
        ],
    )
    location = SelectField(_l("Location"), coerce=int, validators=[Optional()])
    zelfredzaamheid = CheckboxList(DIMENSION_LABELS["zelfredzaamheid"], validators=[Optional()])
    gezondheidsvaardigheden = CheckboxList(DIMENSION_LABELS["gezondheidsvaardigheden"], validators=[Optional()])
    motivatie = CheckboxList(DIMENSION_LABELS["motivatie"], validators=[Optional()])

    def __init__(self, *args, language_names: dict, locations: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.nl.form.title.flags.required = True  # checked in validate(); marks the field as required
        self.nl.form.summary.flags.required = True
        self.languages.choices = [SelectChoice(code, language_names[code]) for code in SPOKEN_LANGUAGES]
        self.location.choices = [SelectChoice(0, _l("No fixed place (online or at home)"))] + [
            SelectChoice(place.id, f"{place.name}, {place.street} {place.house_number}") for place in locations
        ]
        for dimension in FIT_DIMENSIONS:
            getattr(self, dimension).choices = [SelectChoice(level, LEVEL_LABELS[level]) for level in FIT_LEVELS]

    def validate(self, extra_validators=None) -> bool:
        """The usual checks, and a Dutch title (the other languages are optional)."""
        valid = super().validate(extra_validators)
        dutch = self.nl.form
        if not dutch.title.data and not dutch.title.errors:
            dutch.title.errors = [*dutch.title.errors, _l("A Dutch title is required.")]
            valid = False
        return valid


class SessionPlanForm(FlaskForm):
    """One session, or a weekly series."""

    first_day = DateField(_l("Date (of the first time)"), validators=[required(_l("Please fill in a date."))])
    start = TimeField(_l("Start time"), validators=[required(_l("Please fill in a time."))])
    duration_minutes = _number(_l("How long, in minutes"), 5, 720, default=60)
    capacity = _number(_l("Places"), 1, 500, default=12)
    until = TimeField(
        _l("Appointments one after another, until (optional)"),
        validators=[Optional()],
        description=_l(
            "For consultation hours: fill in the end of the hours, for example 12:00. Each appointment then "
            "lasts the minutes above, and has the places above (1 for a personal appointment)."
        ),
    )
    weeks = _number(_l("Every week, how many times"), 1, 52, description=_l("1 for a single time."), default=1)
    skip = TextAreaField(
        _l("Skip these dates"),
        description=_l("For example holidays. One date per line, like 2026-12-29."),
        filters=[strip],
        validators=[Length(max=2000, message=TOO_LONG)],
    )


class SessionEditForm(FlaskForm):
    """Move a session or change its places; in a series, also the later ones (`scope` rest)."""

    day = DateField(_l("Date"), validators=[required(_l("Please fill in a date."))])
    start = TimeField(_l("Start time"), validators=[required(_l("Please fill in a time."))])
    end = TimeField(_l("End time"), validators=[required(_l("Please fill in a time."))])
    capacity = _number(_l("Places"), 1, 500)
    scope = RadioField(
        _l("Which sessions do you want to change?"),
        choices=[
            SelectChoice("one", _l("Only this session")),
            SelectChoice("rest", _l("This session and all later ones in the series")),
        ],
        default="one",
        validators=[InputRequired(message=_l("Please choose one."))],
    )


class LocationForm(FlaskForm):
    """A place where programmes happen."""

    name = StringField(
        _l("Name of the place"),
        filters=[strip],
        validators=[required(), Length(max=160, message=TOO_LONG), no_control_characters],
    )
    street = StringField(_l("Street"), filters=[strip], validators=[required(), Length(max=120, message=TOO_LONG)])
    house_number = StringField(
        _l("House number"), filters=[strip], validators=[required(), Length(max=20, message=TOO_LONG)]
    )
    postcode = StringField(
        _l("Postcode"),
        filters=[strip],
        validators=[
            required(),
            Regexp(r"^\s*[1-9][0-9]{3}\s?[A-Za-z]{2}\s*$", message=_l("Please fill in a postcode like 3564 AB.")),
        ],
    )
    city = StringField(_l("Place"), filters=[strip], validators=[required(), Length(max=120, message=TOO_LONG)])
    latitude = DecimalField(
        _l("Latitude"),
        places=6,
        description=_l("Click on the map, or type the numbers."),
        validators=[
            required(_l("Click on the map, or type the latitude.")),
            NumberRange(min=-90, max=90, message=_l("Please fill in a number from %(min)s to %(max)s.")),
        ],
    )
    longitude = DecimalField(
        _l("Longitude"),
        places=6,
        validators=[
            required(_l("Click on the map, or type the longitude.")),
            NumberRange(min=-180, max=180, message=_l("Please fill in a number from %(min)s to %(max)s.")),
        ],
    )
    wheelchair_accessible = BooleanField(_l("Wheelchair accessible"))
    accessibility_note = TextAreaField(
        _l("About access (in Dutch)"),
        description=_l("For example: lift to the first floor, toilet for wheelchair users."),
        filters=[strip],
        validators=[Length(max=300, message=TOO_LONG)],
    )


class ImportForm(FlaskForm):
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

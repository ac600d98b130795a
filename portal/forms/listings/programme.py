"""The programme form: texts per language, what, for whom, cost, contact, where and route-map fit."""

from __future__ import annotations

from decimal import Decimal

from wtforms import (
    BooleanField,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms.base import PortalForm
from portal.forms.fields import EMAIL_PATTERN, EuroField, no_control_characters, required, strip
from portal.forms.listings import TOO_LONG
from portal.labels import AUDIENCE_LABELS, CATEGORY_LABELS
from portal.services.listings.editing import FIT_DIMENSIONS, FIT_LEVELS, ProgrammeData
from portal.services.routekaarten.labels import DIMENSION_LABELS, LEVEL_LABELS
from portal.services.slugs import SLUG_PATTERN
from portal.translation import lazy_gettext as _l

SPOKEN_LANGUAGES = ("nl", "en", "tr", "ar", "ber", "pl", "so", "ti", "fa", "es", "fr", "de", "uk")
TEXT_LOCALES = ("nl", "en", "tr", "ar")  # the languages a programme's texts can be written in
MAX_DESCRIPTION = 20_000
DEFAULT_CUTOFF_HOURS = 2  # an empty "cancel online until" field


MSG_UNKNOWN_CHOICE = _l("Please choose only from the list.")


class CheckboxList(SelectMultipleField):
    """Several choices as a list of checkboxes; none is fine, a blank or unknown value is refused with a message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        """Every value sent is one of the choices (a blank one too is refused; no Optional() may clear this)."""
        known = {str(choice.value) for choice in self.iter_choices()}
        if any(str(value) not in known for value in self.data or []):
            raise ValidationError(MSG_UNKNOWN_CHOICE)


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


class ProgrammeForm(PortalForm):
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
    audiences = CheckboxList(_l("For whom"), choices=_choices(AUDIENCE_LABELS), validators=[])
    languages = CheckboxList(_l("Languages spoken"), choices=[], validators=[])
    cost_euros = EuroField(
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
        default=DEFAULT_CUTOFF_HOURS,
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
    zelfredzaamheid = CheckboxList(DIMENSION_LABELS["zelfredzaamheid"])
    gezondheidsvaardigheden = CheckboxList(DIMENSION_LABELS["gezondheidsvaardigheden"])
    motivatie = CheckboxList(DIMENSION_LABELS["motivatie"])

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

    @classmethod
    def from_data(cls, data: ProgrammeData, *, language_names: dict, locations: list) -> ProgrammeForm:
        """The form filled in with a programme's current values, to change them."""
        values = {
            "category": data.category,
            "audiences": data.audiences,
            "languages": data.languages,
            "cost_euros": Decimal(data.cost_cents) / 100,
            "referral_required": data.referral_required,
            "cancel_cutoff_hours": data.cancel_cutoff_minutes // 60,
            "contact_name": data.contact_name,
            "contact_phone": data.contact_phone,
            "contact_email": data.contact_email,
            "location": data.location_id or 0,  # 0: no fixed place
            **data.texts,  # locale -> the texts of that language's subform
            **data.fits,  # dimension -> levels
        }
        return cls(data=values, language_names=language_names, locations=locations)

    def to_data(self) -> ProgrammeData:
        """The values filled in, as the listings service takes them."""
        cutoff_hours = self.cancel_cutoff_hours.data
        return ProgrammeData(
            category=self.category.data,
            cost_cents=int((self.cost_euros.data or 0) * 100),
            referral_required=self.referral_required.data,
            cancel_cutoff_minutes=60 * (DEFAULT_CUTOFF_HOURS if cutoff_hours is None else cutoff_hours),
            contact_name=self.contact_name.data or "",
            contact_phone=self.contact_phone.data or "",
            contact_email=self.contact_email.data or "",
            location_id=self.location.data or None,
            audiences=self.audiences.data or [],
            languages=self.languages.data or [],
            texts={locale: dict(getattr(self, locale).data) for locale in TEXT_LOCALES},
            fits={dimension: getattr(self, dimension).data or [] for dimension in FIT_DIMENSIONS},
        )

    def validate(self, extra_validators=None) -> bool:
        """The usual checks, and a Dutch title (the other languages are optional)."""
        valid = super().validate(extra_validators)
        dutch = self.nl.form
        if not dutch.title.data and not dutch.title.errors:
            dutch.title.errors = [*dutch.title.errors, _l("A Dutch title is required.")]
            valid = False
        return valid

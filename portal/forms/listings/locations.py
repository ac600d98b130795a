"""The location form: the address with a Dutch postcode, a point inside the Netherlands, and access."""

from __future__ import annotations

from wtforms import BooleanField, DecimalField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Regexp, ValidationError

from portal.forms.base import PortalForm
from portal.forms.fields import no_control_characters, required, strip
from portal.forms.listings import TOO_LONG
from portal.models import Location
from portal.services.listings.locations import LocationData, in_netherlands, normalise_postcode
from portal.translation import lazy_gettext as _l

MSG_POSTCODE = _l("Please fill in a postcode like 3564 AB.")


class LocationForm(PortalForm):
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
        validators=[required(), Regexp(r"^\s*[1-9][0-9]{3}\s?[A-Za-z]{2}\s*$", message=MSG_POSTCODE)],
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

    @classmethod
    def from_location(cls, location: Location) -> LocationForm:
        """The form filled in with a location's current values, to change them."""
        return cls(obj=location, data={"accessibility_note": (location.accessibility or {}).get("nl", "")})

    def validate_postcode(self, field) -> None:
        """A postcode as the Netherlands hand them out (the service's rule: no SA, SD or SS)."""
        if not field.errors and normalise_postcode(field.data or "") is None:
            raise ValidationError(MSG_POSTCODE)

    def validate(self, extra_validators=None) -> bool:
        """The field checks, and a point inside the Netherlands (latitude and longitude together)."""
        valid = super().validate(extra_validators)
        point = (self.latitude.data, self.longitude.data)
        if self.latitude.errors or self.longitude.errors or None in point:
            return valid
        if not in_netherlands(float(point[0]), float(point[1])):
            message = _l("This point is not in the Netherlands. Please click on the map.")
            self.latitude.errors = [*self.latitude.errors, message]
            valid = False
        return valid

    def to_data(self) -> LocationData:
        """The values filled in, as the locations service takes them."""
        return LocationData(
            name=self.name.data,
            street=self.street.data,
            house_number=self.house_number.data,
            postcode=self.postcode.data,
            city=self.city.data,
            latitude=float(self.latitude.data),
            longitude=float(self.longitude.data),
            wheelchair_accessible=self.wheelchair_accessible.data,
            accessibility_note=self.accessibility_note.data or "",
        )

"""Locations of programmes: Dutch postcodes, coordinates inside the Netherlands, and saving them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.extensions import db
from portal.models import Location, Neighbourhood, Organisation
from portal.services.listings.editing import ListingError
from portal.services.slugs import free_slug, slugify

# The Netherlands (European part), with a little margin for the coast and the borders.
NL_LATITUDE = (50.70, 53.60)
NL_LONGITUDE = (3.30, 7.25)
_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s?([A-Za-z]{2})\s*$")
_UNUSED_LETTERS = {"SA", "SD", "SS"}  # never used in Dutch postcodes


def normalise_postcode(value: str) -> str | None:
    """'3564ab' -> '3564 AB'; None when it is not a Dutch postcode."""
    match = _POSTCODE.match(value or "")
    if not match or match.group(2).upper() in _UNUSED_LETTERS:
        return None
    return f"{match.group(1)} {match.group(2).upper()}"


def in_netherlands(latitude: float, longitude: float) -> bool:
    """True when the point lies within the Netherlands' bounding box."""
    return NL_LATITUDE[0] <= latitude <= NL_LATITUDE[1] and NL_LONGITUDE[0] <= longitude <= NL_LONGITUDE[1]


@dataclass
class LocationData:
    """What a beweegmakelaar fills in about a location."""

    name: str
    street: str
    house_number: str
    postcode: str
    city: str
    latitude: float
    longitude: float
    wheelchair_accessible: bool = False
    accessibility_note: str = ""


def _apply(location: Location, data: LocationData) -> None:
    postcode = normalise_postcode(data.postcode)
    if postcode is None:
        raise ListingError("postcode", repr(data.postcode))
    if not in_netherlands(data.latitude, data.longitude):
        raise ListingError("outside_netherlands", f"{data.latitude}, {data.longitude}")
    location.name = data.name.strip()
    location.street = data.street.strip()
    location.house_number = data.house_number.strip()
    location.postcode = postcode
    location.city = data.city.strip()
    location.latitude = round(data.latitude, 6)
    location.longitude = round(data.longitude, 6)
    location.wheelchair_accessible = data.wheelchair_accessible
    notes = dict(location.accessibility or {})
    if data.accessibility_note.strip():
        notes["nl"] = data.accessibility_note.strip()
    else:
        notes.pop("nl", None)
    location.accessibility = notes


def create_location(organisation: Organisation, neighbourhood: Neighbourhood, data: LocationData) -> Location:
    """A new location of the organisation; raises ListingError "postcode" or "outside_netherlands"."""
    location = Location(
        slug=free_slug(Location, slugify(data.name)), organisation=organisation, neighbourhood=neighbourhood
    )
    _apply(location, data)
    db.session.add(location)
    db.session.flush()
    return location


def update_location(location: Location, data: LocationData) -> None:
    """Save new values of a location; raises ListingError "postcode" or "outside_netherlands"."""
    _apply(location, data)

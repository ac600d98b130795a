"""schema.org JSON-LD for a programme and its sessions, so search engines and apps can read them."""

from __future__ import annotations

from flask import url_for

from portal.models import Programme, Session


def _place(programme: Programme) -> dict | None:
    location = programme.location
    if location is None:
        return None
    return {
        "@type": "Place",
        "name": location.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": f"{location.street} {location.house_number}",
            "postalCode": location.postcode,
            "addressLocality": location.city,
            "addressCountry": "NL",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": location.latitude, "longitude": location.longitude},
    }


def _offer(programme: Programme) -> dict:
    return {"@type": "Offer", "price": f"{programme.cost_cents / 100:.2f}", "priceCurrency": "EUR"}


def programme_json_ld(programme: Programme, sessions: list[Session], lang: str) -> dict:
    """A schema.org EventSeries for the programme, with one Event per upcoming session."""
    text = programme.text(lang)
    url = url_for("programmes.detail", slug=programme.slug, lang=lang, _external=True)
    organiser = {"@type": "Organization", "name": programme.organisation.name}
    place = _place(programme)
    series = {
        "@context": "https://schema.org",
        "@type": "EventSeries",
        "name": text.title,
        "description": text.summary,
        "url": url,
        "inLanguage": text.locale,
        "organizer": organiser,
        "isAccessibleForFree": programme.is_free,
        "offers": _offer(programme),
        "subEvent": [],
    }
    if place:
        series["location"] = place
    for session in sessions:
        event = {
            "@type": "Event",
            "name": text.title,
            "startDate": session.starts_at.isoformat(),
            "endDate": session.ends_at.isoformat(),
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "organizer": organiser,
            "maximumAttendeeCapacity": session.capacity,
            "remainingAttendeeCapacity": session.places_left,
            "offers": _offer(programme),
        }
        if place:
            event["location"] = place
        series["subEvent"].append(event)
    return series

"""Open Referral HSDS 3 export of one organisation's listings: its programmes, locations and schedules."""

from __future__ import annotations

import html
import re
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import nh3
from babel import Locale
from babel.core import UnknownLocaleError
from babel.numbers import format_currency
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.config import TIMEZONE
from portal.extensions import db
from portal.markdown_text import markdown_to_text
from portal.models import Location, Organisation, Programme
from portal.services.social_map.programmes import with_details

# Fixed for good: every HSDS id is uuid5(NAMESPACE, "<kind>:<portal id>"), so ids stay the same between exports.
NAMESPACE = uuid.UUID("93dd227d-3e34-4c36-955a-ab37fd0cfd41")
COUNTRY = "NL"
# HSDS requires a province on every address; the portal's neighbourhoods are in the province of Utrecht.
STATE_PROVINCE = "Utrecht"
CURRENCY = "EUR"
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
TIME_NOTE = f"Tijden in lokale tijd ({TIMEZONE})."

_ZONE = ZoneInfo(TIMEZONE)
_WEEK = timedelta(days=7)

Occurrence = tuple[datetime, datetime]
_SPACES = re.compile(r"[ \t]+")


def hsds_id(name: str) -> str:
    """The HSDS id (a UUID) for a portal object named like "programme:12", the same in every export."""
    return str(uuid.uuid5(NAMESPACE, name))


def export_organisation(organisation: Organisation, *, base_url: str, include_unpublished: bool = False) -> dict:
    """An HSDS 3 organization with its published (or also draft, never archived) programmes as services."""
    statuses = ("published", "draft") if include_unpublished else ("published",)
    programmes = db.session.scalars(
        with_details(select(Programme))
        .options(selectinload(Programme.languages), selectinload(Programme.sessions))
        .where(Programme.organisation_id == organisation.id, Programme.status.in_(statuses))
        .order_by(Programme.id)
    ).all()
    base_url = base_url.rstrip("/")
    organisation_id = hsds_id(f"organisation:{organisation.id}")
    document: dict = {
        "id": organisation_id,
        "name": _text(organisation.name),
        "description": _organisation_description(organisation),
    }
    if organisation.email:
        document["email"] = organisation.email
    website = _web_url(organisation.website)
    if website:
        document["website"] = website
    if organisation.phone:
        document["phones"] = [
            {
                "id": hsds_id(f"organisation-phone:{organisation.id}"),
                "organization_id": organisation_id,
                "number": organisation.phone,
            }
        ]
    document["services"] = [_service(programme, organisation_id, base_url) for programme in programmes]
    locations = {programme.location.id: programme.location for programme in programmes if programme.location}
    document["locations"] = [_location(locations[key], organisation, organisation_id) for key in sorted(locations)]
    return document


def _text(value: str | None) -> str:
    """Plain text without HTML tags, comments or entities (repeated, so escaped tags cannot come back)."""
    value = value or ""
    for _ in range(3):
        cleaned = html.unescape(nh3.clean(value, tags=set()))
        if cleaned == value:
            break
        value = cleaned
    return _SPACES.sub(" ", value).strip()


def _plain(markdown: str | None) -> str:
    """Plain text of Markdown that may also hold HTML: HSDS consumers may render descriptions as HTML."""
    return _text(markdown_to_text(markdown or ""))


def _organisation_description(organisation: Organisation) -> str:
    texts = organisation.description or {}
    return _plain(texts.get("nl") or next((value for value in texts.values() if value), ""))


def _web_url(value: str | None) -> str | None:
    """An absolute http(s) URL for a website as entered ("www.example.org" gets https://), or None."""
    value = (value or "").strip()
    if not value or any(character.isspace() for character in value):
        return None
    if "://" not in value:
        value = f"https://{value}"
    parts = urlsplit(value)
    return value if parts.scheme in {"http", "https"} and "." in parts.netloc else None


def _service(programme: Programme, organisation_id: str, base_url: str) -> dict:
    service_id = hsds_id(f"programme:{programme.id}")
    text = programme.text("nl")
    published = programme.status == "published"
    url = f"{base_url}/nl/programmes/{programme.slug}" if published else None
    service: dict = {
        "id": service_id,
        "organization_id": organisation_id,
        "name": _text(text.title),
        "description": _plain(text.description) or _text(text.summary),
        "status": "active" if published else "inactive",
    }
    if url:
        service["url"] = url
    service |= _contact_points(programme, service_id)
    if programme.referral_required:
        referral = _plain(text.referral)
        service["eligibility_description"] = f"Verwijzing nodig. {referral}".strip()
    service |= _costs(programme, service_id)
    service["languages"] = [
        _language(programme.id, service_id, code) for code in sorted({row.language for row in programme.languages})
    ]
    if programme.last_verified_on:
        service["assured_date"] = programme.last_verified_on.isoformat()
    if programme.updated_at:
        service["last_modified"] = programme.updated_at.isoformat()
    service["schedules"] = _schedules(programme, service_id, url)
    if programme.location:
        location_id = programme.location.id
        service["service_at_locations"] = [
            {
                "id": hsds_id(f"service_at_location:{programme.id}:{location_id}"),
                "service_id": service_id,
                "location_id": hsds_id(f"location:{location_id}"),
            }
        ]
    return service


def _contact_points(programme: Programme, service_id: str) -> dict:
    """How to reach the programme: its email, phone and contact person, as far as the portal has them."""
    points: dict = {}
    if programme.contact_email:
        points["email"] = programme.contact_email
    if programme.contact_phone:
        points["phones"] = [
            {
                "id": hsds_id(f"programme-phone:{programme.id}"),
                "service_id": service_id,
                "number": programme.contact_phone,
            }
        ]
    if programme.contact_name:
        contact = {"id": hsds_id(f"programme-contact:{programme.id}"), "service_id": service_id}
        contact["name"] = _text(programme.contact_name)
        if programme.contact_email:
            contact["email"] = programme.contact_email
        points["contacts"] = [contact]
    return points


def _costs(programme: Programme, service_id: str) -> dict:
    """What one time costs: a description in Dutch ("Gratis", "€ 2,50") and the amount in euros."""
    price = "Gratis" if programme.is_free else format_currency(programme.cost_cents / 100, CURRENCY, locale="nl_NL")
    return {
        "fees_description": price,
        "cost_options": [
            {
                "id": hsds_id(f"cost:{programme.id}"),
                "service_id": service_id,
                "amount": programme.cost_cents / 100,
                "currency": CURRENCY,
                "amount_description": price,
            }
        ],
    }


def _language(programme_id: int, service_id: str, code: str) -> dict:
    language = {"id": hsds_id(f"language:{programme_id}:{code}"), "service_id": service_id, "code": code}
    try:
        name = Locale.parse(code).get_display_name("nl")
    except (ValueError, UnknownLocaleError):
        name = None
    if name:
        language["name"] = name
    return language


def _schedules(programme: Programme, service_id: str, link: str | None) -> list[dict]:
    """One schedule per run of sessions a week apart at the same local time; a lone session is a one-off."""
    occurrences = sorted(
        {
            (session.starts_at.astimezone(_ZONE), session.ends_at.astimezone(_ZONE))
            for session in programme.sessions
            if session.status == "scheduled"
        }
    )
    slots: dict[tuple, list[Occurrence]] = defaultdict(list)
    for start, end in occurrences:
        slots[(start.weekday(), start.time(), end.time(), (end.date() - start.date()).days)].append((start, end))
    runs: list[list[Occurrence]] = []
    for slot in slots.values():
        run = [slot[0]]
        for occurrence in slot[1:]:
            if occurrence[0].date() - run[-1][0].date() == _WEEK:
                run.append(occurrence)
            else:
                runs.append(run)
                run = [occurrence]
        runs.append(run)
    runs.sort(key=lambda run: run[0])
    return [
        _schedule(run, hsds_id(f"schedule:{programme.id}:{number}"), service_id, link)
        for number, run in enumerate(runs, start=1)
    ]


def _schedule(run: list[Occurrence], schedule_id: str, service_id: str, link: str | None) -> dict:
    first_start, first_end = run[0]
    first_day, last_day = first_start.date().isoformat(), run[-1][0].date().isoformat()
    schedule: dict = {
        "id": schedule_id,
        "service_id": service_id,
        "valid_from": first_day,
        "valid_to": last_day,
        "dtstart": first_day,
    }
    if len(run) > 1:
        schedule |= {"freq": "WEEKLY", "interval": 1, "byday": BYDAY[first_start.weekday()], "wkst": "MO"}
        schedule["until"] = last_day
    schedule["opens_at"] = first_start.strftime("%H:%M:%S")
    schedule["closes_at"] = first_end.strftime("%H:%M:%S")
    # HSDS has only a fixed UTC offset; give it when it holds for every occurrence (not across a DST change).
    offsets = {moment.utcoffset() for occurrence in run for moment in occurrence}
    if len(offsets) == 1:
        hours = offsets.pop().total_seconds() / 3600
        schedule["timezone"] = int(hours) if hours.is_integer() else hours
    schedule["notes"] = TIME_NOTE
    if link:
        schedule["schedule_link"] = link
    return schedule


def _location(location: Location, organisation: Organisation, organisation_id: str) -> dict:
    location_id = hsds_id(f"location:{location.id}")
    result: dict = {
        "id": location_id,
        "location_type": "physical",
        "name": _text(location.name),
        "latitude": location.latitude,
        "longitude": location.longitude,
        "addresses": [
            {
                "id": hsds_id(f"address:{location.id}"),
                "location_id": location_id,
                "address_1": f"{location.street} {location.house_number}".strip(),
                "city": location.city,
                "state_province": STATE_PROVINCE,
                "postal_code": location.postcode,
                "country": COUNTRY,
                "address_type": "physical",
            }
        ],
    }
    if location.organisation_id == organisation.id:
        result["organization_id"] = organisation_id
    note = _plain((location.accessibility or {}).get("nl"))
    description = " ".join(
        part for part in ("Rolstoeltoegankelijk." if location.wheelchair_accessible else "", note) if part
    )
    if description:
        result["accessibility"] = [
            {"id": hsds_id(f"accessibility:{location.id}"), "location_id": location_id, "description": description}
        ]
    return result

"""The Open Referral HSDS 3 export of an organisation's listings validates against the official schema."""

from __future__ import annotations

import copy
import functools
import json
import lzma
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from portal.extensions import db
from portal.models import ProgrammeLanguage
from portal.services.listings.hsds import NAMESPACE, export_organisation
from tests.factories import LocationFactory, OrganisationFactory, ProgrammeFactory, SessionFactory

# The official schemas, copied into the repository (CI clones only this repository); see the README there.
SCHEMA_DIR = Path(__file__).parent / "fixtures" / "hsds"
BASE_URL = "https://wijkportaal.example.nl/"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An Amsterdam wall-clock time as the aware UTC datetime the database stores."""
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM).astimezone(UTC)


@functools.cache
def organisation_validator() -> Draft202012Validator:
    """A validator for HSDS's organization.json, with every schema file in a registry so refs resolve offline."""
    files = sorted(SCHEMA_DIR.glob("*.json.xz"))
    assert files, f"the HSDS schemas are missing from {SCHEMA_DIR}: see tests/fixtures/hsds/README.md"
    registry = Registry()
    schemas = {}
    for path in files:
        name = path.name.removesuffix(".xz")
        with lzma.open(path) as file:
            schemas[name] = json.load(file)
        resource = Resource.from_contents(schemas[name], default_specification=DRAFT202012)
        registry = registry.with_resource(name, resource)
    schema = schemas["organization.json"]
    Draft202012Validator.check_schema(schema)
    # An explicit registry: a $ref outside it fails instead of being fetched over the network.
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate(document: dict) -> list[str]:
    """Every schema error in `document`, as "path: message" lines."""
    errors = organisation_validator().iter_errors(document)
    return sorted(f"/{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors)


def ids_in(node, path: str = "") -> list[tuple[str, str]]:
    """(path, value) of every "id" and "*_id" field in the document."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if (key == "id" or key.endswith("_id")) and isinstance(value, str):
                found.append((f"{path}/{key}", value))
            else:
                found += ids_in(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += ids_in(value, f"{path}/{index}")
    return found


def service_named(document: dict, programme) -> dict:
    """The service of `programme` in the document."""
    [service] = [s for s in document["services"] if s["name"] == programme.text("nl").title]
    return service


@pytest.fixture
def listings(app):
    """One organisation with a weekly series across the end of summer time, one-off sessions, a draft and an archived
    programme, and a programme of another organisation."""
    organisation = OrganisationFactory(
        name="Gezond Overvecht",
        website="www.example.org/gezond",
        description={"nl": "**Samen** gezond in de wijk. <i>Iedereen</i> welkom."},
    )
    hall = LocationFactory(name="Buurthuis De Dreef", organisation=organisation)
    centre = LocationFactory(
        name="Gezondheidscentrum",
        street="Einsteindreef",
        house_number="84",
        postcode="3562 GD",
        wheelchair_accessible=False,
    )
    storeroom = LocationFactory(name="Opslag")

    weekly = ProgrammeFactory(
        organisation=organisation,
        location=hall,
        cost_cents=250,
        referral_required=True,
        contact_name="Fatma Yilmaz",
        contact_phone="030 123 4567",
        contact_email="bewegen@example.org",
    )
    text = weekly.text("nl")
    text.description = (
        "**Samen** bewegen in [het park](https://example.org).\n\n<script>alert(1)</script>Neem <b>water</b> mee."
    )
    text.referral = "Via de *huisarts*."
    weekly.languages += [ProgrammeLanguage(language="tr"), ProgrammeLanguage(language="nl")]
    for day in (date(2026, 10, 13), date(2026, 10, 20), date(2026, 10, 27), date(2026, 11, 3)):
        start = local(day.year, day.month, day.day, 10)
        SessionFactory(programme=weekly, starts_at=start, ends_at=start + timedelta(hours=1))
    cancelled = local(2026, 11, 10, 10)
    SessionFactory(programme=weekly, starts_at=cancelled, ends_at=cancelled + timedelta(hours=1), status="cancelled")

    one_off = ProgrammeFactory(organisation=organisation, location=centre)
    SessionFactory(programme=one_off, starts_at=local(2026, 12, 5, 14), ends_at=local(2026, 12, 5, 16))
    SessionFactory(programme=one_off, starts_at=local(2027, 1, 16, 9, 30), ends_at=local(2027, 1, 16, 11))

    draft = ProgrammeFactory(organisation=organisation, location=centre, status="draft")
    archived = ProgrammeFactory(organisation=organisation, location=storeroom, status="archived")
    elsewhere = ProgrammeFactory()
    db.session.flush()
    db.session.expire_all()  # the export reads everything back from the database
    return {
        "organisation": organisation,
        "hall": hall,
        "centre": centre,
        "storeroom": storeroom,
        "weekly": weekly,
        "one_off": one_off,
        "draft": draft,
        "archived": archived,
        "elsewhere": elsewhere,
    }


@pytest.mark.parametrize("include_unpublished", [False, True])
def test_the_export_validates_against_the_hsds_schema(listings, include_unpublished):
    document = export_organisation(listings["organisation"], base_url=BASE_URL, include_unpublished=include_unpublished)
    errors = validate(document)
    assert not errors, f"{len(errors)} HSDS schema errors:\n" + "\n".join(errors)


def test_the_schema_check_is_not_vacuous(listings):
    document = export_organisation(listings["organisation"], base_url=BASE_URL)
    broken = copy.deepcopy(document)
    broken["services"][0]["id"] = "programme-1"
    broken["services"][0]["status"] = "open"
    del broken["locations"][0]["addresses"][0]["state_province"]
    del broken["description"]
    errors = "\n".join(validate(broken))
    assert "/services/0/id: 'programme-1' is not a 'uuid'" in errors
    assert "/services/0/status: 'open' is not one of" in errors
    assert "'state_province' is a required property" in errors
    assert "/: 'description' is a required property" in errors


def test_only_published_programmes_of_the_organisation_by_default(listings):
    document = export_organisation(listings["organisation"], base_url=BASE_URL)
    names = {service["name"] for service in document["services"]}
    assert names == {listings[key].text("nl").title for key in ("weekly", "one_off")}
    assert {service["status"] for service in document["services"]} == {"active"}
    location_names = [location["name"] for location in document["locations"]]
    assert location_names == ["Buurthuis De Dreef", "Gezondheidscentrum"]


def test_drafts_only_when_asked_and_archived_never(listings):
    document = export_organisation(listings["organisation"], base_url=BASE_URL, include_unpublished=True)
    names = {service["name"] for service in document["services"]}
    assert names == {listings[key].text("nl").title for key in ("weekly", "one_off", "draft")}
    draft = service_named(document, listings["draft"])
    assert draft["status"] == "inactive"
    assert "url" not in draft  # its public page does not exist yet
    assert "Opslag" not in {location["name"] for location in document["locations"]}
    everything = json.dumps(document)
    for key in ("archived", "elsewhere"):
        assert listings[key].text("nl").title not in everything
        assert str(uuid.uuid5(NAMESPACE, f"programme:{listings[key].id}")) not in everything


def test_ids_are_uuids_and_stable_between_exports(listings):
    first = export_organisation(listings["organisation"], base_url=BASE_URL, include_unpublished=True)
    db.session.expire_all()
    second = export_organisation(listings["organisation"], base_url=BASE_URL, include_unpublished=True)
    assert first == second
    found = ids_in(first)
    assert len(found) > 20
    for path, value in found:
        assert str(uuid.UUID(value)) == value, path
    own_ids = [value for path, value in found if path.endswith("/id")]
    assert len(own_ids) == len(set(own_ids)), "ids must be unique in the document"
    organisation, weekly, hall = listings["organisation"], listings["weekly"], listings["hall"]
    assert first["id"] == str(uuid.uuid5(NAMESPACE, f"organisation:{organisation.id}"))
    assert service_named(first, weekly)["id"] == str(uuid.uuid5(NAMESPACE, f"programme:{weekly.id}"))
    assert first["locations"][0]["id"] == str(uuid.uuid5(NAMESPACE, f"location:{hall.id}"))
    assert service_named(first, weekly)["schedules"][0]["id"] == str(uuid.uuid5(NAMESPACE, f"schedule:{weekly.id}:1"))


def test_a_weekly_series_across_the_end_of_summer_time_is_one_schedule(listings):
    starts = [session.starts_at for session in listings["weekly"].sessions if session.status == "scheduled"]
    assert {start.astimezone(UTC).hour for start in starts} == {8, 9}  # 10:00 CEST and 10:00 CET
    document = export_organisation(listings["organisation"], base_url=BASE_URL)
    service = service_named(document, listings["weekly"])
    [schedule] = service["schedules"]
    assert schedule["freq"] == "WEEKLY"
    assert schedule["interval"] == 1
    assert schedule["byday"] == "TU"
    assert (schedule["opens_at"], schedule["closes_at"]) == ("10:00:00", "11:00:00")
    assert (schedule["valid_from"], schedule["valid_to"]) == ("2026-10-13", "2026-11-03")  # the cancelled one is not
    assert (schedule["dtstart"], schedule["until"]) == ("2026-10-13", "2026-11-03")
    assert "count" not in schedule  # iCal forbids count together with until
    assert "timezone" not in schedule  # no single UTC offset holds across the change
    assert "Europe/Amsterdam" in schedule["notes"]
    assert schedule["service_id"] == service["id"]


def test_one_off_sessions_are_dated_schedules_in_local_time(listings):
    document = export_organisation(listings["organisation"], base_url=BASE_URL)
    schedules = service_named(document, listings["one_off"])["schedules"]
    assert [
        (s["valid_from"], s["valid_to"], s["dtstart"], s["opens_at"], s["closes_at"], s["timezone"]) for s in schedules
    ] == [
        ("2026-12-05", "2026-12-05", "2026-12-05", "14:00:00", "16:00:00", 1),
        ("2027-01-16", "2027-01-16", "2027-01-16", "09:30:00", "11:00:00", 1),
    ]
    assert not any("freq" in s or "until" in s for s in schedules)
    for schedule in schedules:
        date.fromisoformat(schedule["valid_from"])


def test_every_service_at_location_points_at_a_location_in_the_document(listings):
    document = export_organisation(listings["organisation"], base_url=BASE_URL, include_unpublished=True)
    location_ids = {location["id"] for location in document["locations"]}
    links = [(service, link) for service in document["services"] for link in service["service_at_locations"]]
    assert len(links) == len(document["services"]) == 3
    for service, link in links:
        assert link["service_id"] == service["id"]
        assert link["location_id"] in location_ids
    assert {link["location_id"] for _, link in links} == location_ids


def test_locations_have_full_dutch_addresses(listings):
    document = export_organisation(listings["organisation"], base_url=BASE_URL)
    hall, centre = document["locations"]
    [address] = centre["addresses"]
    assert address["address_1"] == "Einsteindreef 84"
    assert (address["postal_code"], address["city"], address["state_province"], address["country"]) == (
        "3562 GD",
        "Utrecht",
        "Utrecht",
        "NL",
    )
    assert (centre["latitude"], centre["longitude"]) == (52.117, 5.110)
    assert hall["organization_id"] == document["id"]  # the hall is the organisation's own
    assert "organization_id" not in centre
    assert hall["accessibility"][0]["description"].startswith("Rolstoeltoegankelijk")
    assert "accessibility" not in centre


def test_contact_cost_languages_and_page_of_a_service(listings):
    document = export_organisation(listings["organisation"], base_url=BASE_URL)
    weekly = listings["weekly"]
    service = service_named(document, weekly)
    assert service["url"] == f"https://wijkportaal.example.nl/nl/programmes/{weekly.slug}"
    assert service["schedules"][0]["schedule_link"] == service["url"]
    assert service["email"] == "bewegen@example.org"
    assert [phone["number"] for phone in service["phones"]] == ["030 123 4567"]
    assert service["contacts"][0]["name"] == "Fatma Yilmaz"
    assert [(language["code"], language["name"]) for language in service["languages"]] == [
        ("nl", "Nederlands"),
        ("tr", "Turks"),
    ]
    [cost] = service["cost_options"]
    assert (cost["amount"], cost["currency"]) == (2.5, "EUR")
    assert "2,50" in cost["amount_description"]
    free = service_named(document, listings["one_off"])
    assert free["cost_options"][0]["amount"] == 0
    assert free["fees_description"] == "Gratis"
    assert "eligibility_description" not in free
    assert document["website"] == "https://www.example.org/gezond"
    for url in (service["url"], document["website"]):
        parts = urlsplit(url)  # the schema's uri format is not checked without an extra package
        assert parts.scheme == "https" and parts.netloc


def test_markdown_and_html_come_out_as_plain_text(listings):
    document = export_organisation(listings["organisation"], base_url=BASE_URL)
    service = service_named(document, listings["weekly"])
    assert service["description"] == "Samen bewegen in het park.\nNeem water mee."
    assert service["eligibility_description"] == "Verwijzing nodig. Via de huisarts."
    assert document["description"] == "Samen gezond in de wijk. Iedereen welkom."
    for text in (service["description"], service["eligibility_description"], document["description"]):
        assert not any(mark in text for mark in ("<", ">", "*", "[", "&"))

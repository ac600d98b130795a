"""A referral as FHIR R4 JSON: validated with fhir.resources (R4B models), the mapping, and who may fetch it."""

from __future__ import annotations

import copy
import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task
from pydantic import ValidationError
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from portal.services.referrals import changes, fhir
from portal.services.referrals.referrals import NewReferral, agree, create
from portal.services.routekaarten.content import current_catalogue
from tests.factories import OrganisationFactory, ProgrammeFactory, UserFactory
from tests.support.accounts import sign_in
from tests.support.care import in_care

BASE = "https://wijkportaal.example/fhir"
# The required bindings of FHIR R4 (the models check types and cardinality, not these codes).
TASK_STATUS = {
    "draft", "requested", "received", "accepted", "rejected", "ready", "cancelled",
    "in-progress", "on-hold", "failed", "completed", "entered-in-error",
}  # fmt: skip
REFERRAL_TASK_STATUS = TASK_STATUS - {"ready", "received"}  # SDOHCC-ValueSetReferralTaskStatus
REQUEST_STATUS = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
OBSERVATION_STATUS = {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error"}
SDOH_CATEGORIES = {"sdoh-category-unspecified", "food-insecurity", "social-connection", "personal-health-literacy"}
NEEDS_STATUS_REASON = {"rejected", "cancelled", "on-hold", "failed"}
NOTE = "Mevrouw wil graag meer bewegen, maar durft niet alleen."


@pytest.fixture
def people(app):
    """A resident in the care of a GP practice, and a beweegmakelaar team with a published programme."""
    practice = OrganisationFactory(name="Huisartsenpraktijk De Linde", kind="practice")
    brokers = OrganisationFactory(name="Beweegmakelaars Overvecht", kind="brokerage")
    resident = UserFactory(role="resident", display_name="Mevrouw Jansen", email="jansen.geheim@example.org")
    gp = in_care(resident, practice)
    broker = UserFactory(role="broker", organisation=brokers)
    programme = ProgrammeFactory(organisation=brokers, status="published")
    db.session.commit()
    return {"resident": resident, "gp": gp, "broker": broker, "programme": programme, "practice": practice}


def refer(people, agreed=True, route_map="meer-bewegen"):
    new = NewReferral(
        resident=people["resident"],
        programme=people["programme"],
        route_map=route_map,
        levels={"gezondheidsvaardigheden": "laag", "motivatie": "hoog"},
        note=NOTE,
        agreed_in_consultation=agreed,
    )
    referral = create(people["gp"], new, current_catalogue())
    db.session.commit()
    return referral


def in_status(people, status):
    """A referral brought to `status` the way the teams do it."""
    referral = refer(people, agreed=status != "draft")
    broker, gp = people["broker"], people["gp"]
    if status in ("accepted", "completed"):
        changes.change_status(broker, referral, "accepted", referral.version)
    if status == "completed":
        changes.change_status(broker, referral, "completed", referral.version, reason="got_help")
    if status == "rejected":
        changes.change_status(broker, referral, "rejected", referral.version, reason="no_capacity", wait="1_3m")
    if status == "entered-in-error":
        changes.void(gp, referral, referral.version, "Verkeerde bewoner gekozen.")
    db.session.commit()
    return referral


def validated(bundle: dict) -> tuple[dict, dict]:
    """Validate the bundle and each resource with the FHIR models and the required codes; (request, task)."""
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    by_type = {entry["resource"]["resourceType"]: entry for entry in bundle["entry"]}
    assert set(by_type) == {"ServiceRequest", "Task"} and len(bundle["entry"]) == 2
    request, task = by_type["ServiceRequest"]["resource"], by_type["Task"]["resource"]
    ServiceRequest.model_validate(request)
    Task.model_validate(task)
    for contained in request.get("contained", []):
        Observation.model_validate(contained)
        assert contained["status"] in OBSERVATION_STATUS
    assert request["status"] in REQUEST_STATUS and request["intent"] == "order"
    assert task["status"] in REFERRAL_TASK_STATUS and task["intent"] == "order"
    assert task["code"]["coding"] == [
        {"system": fhir.TASK_CODES, "code": "fulfill", "display": "Fulfill the focal request"}
    ]
    sdoh = [c["code"] for cat in request["category"] for c in cat["coding"] if c["system"] == fhir.SDOHCC_CODES]
    assert sdoh and set(sdoh) <= SDOH_CATEGORIES
    if task["status"] in NEEDS_STATUS_REASON or "statusReason" in task:
        assert task["statusReason"]["text"]
    for resource, profile in ((request, fhir.SR_PROFILE), (task, fhir.TASK_PROFILE)):
        assert resource["meta"]["profile"] == [profile]
    return by_type["ServiceRequest"], by_type["Task"]


def resolve(entry: dict, reference: str) -> str:
    """The full URL a relative reference in `entry` points to (FHIR's rule for bundles with RESTful URLs)."""
    base = entry["fullUrl"].rsplit("/", 2)[0]
    return f"{base}/{reference}"


@pytest.mark.parametrize(
    ("status", "request_status"),
    [
        ("draft", "draft"),
        ("requested", "active"),
        ("accepted", "active"),
        ("rejected", "revoked"),
        ("completed", "completed"),
        ("entered-in-error", "entered-in-error"),
    ],
)
def test_every_status_gives_a_valid_bundle_with_the_mapped_status(people, status, request_status):
    referral = in_status(people, status)
    assert referral.status == status
    request_entry, task_entry = validated(fhir.bundle_for(referral, BASE, current_catalogue()))
    request, task = request_entry["resource"], task_entry["resource"]
    assert task["status"] == status and request["status"] == request_status
    assert resolve(task_entry, task["focus"]["reference"]) == request_entry["fullUrl"]
    assert request_entry["fullUrl"] == f"{BASE}/ServiceRequest/{referral.id}"
    patient = {"reference": f"Patient/{people['resident'].id}", "display": "Mevrouw Jansen"}
    assert task["for"] == request["subject"] == patient
    assert request["note"][0]["text"] == NOTE
    assert task["owner"]["display"] == "Beweegmakelaars Overvecht"
    assert task["requester"]["display"] == request["requester"]["display"] == "Huisartsenpraktijk De Linde"
    assert task["lastModified"].endswith("+00:00") and request["authoredOn"].endswith("+00:00")


def test_the_reason_the_wait_and_the_outcome(people):
    rejected = in_status(people, "rejected")
    _request, task = (entry["resource"] for entry in validated(fhir.bundle_for(rejected, BASE)))
    assert task["statusReason"]["coding"][0] == {
        "system": "urn:wijkportaal:referral-reason",
        "code": "no_capacity",
        "display": "No capacity",
    }
    assert task["statusReason"]["text"] == "No capacity"
    assert task["businessStatus"]["coding"][0]["code"] == "1_3m"
    assert "1 to 3 months" in task["businessStatus"]["text"] and "output" not in task

    completed = in_status(people, "completed")
    _request, task = (entry["resource"] for entry in validated(fhir.bundle_for(completed, BASE)))
    assert task["statusReason"]["coding"][0]["code"] == "got_help"
    assert task["output"][0]["valueCodeableConcept"]["text"] == "The resident got help"
    assert task["executionPeriod"]["start"] <= task["executionPeriod"]["end"]
    assert "businessStatus" not in task


def test_the_request_carries_the_route_map_the_estimates_and_the_agreement(people):
    referral = in_status(people, "requested")
    request_entry, _task = validated(fhir.bundle_for(referral, BASE, current_catalogue()))
    request = request_entry["resource"]
    codings = [coding for category in request["category"] for coding in category["coding"]]
    assert {"system": fhir.PA_CODES, "code": "PhysicalActivity", "display": "Physical Activity"} in codings
    assert {"system": "urn:wijkportaal:route-map", "code": "meer-bewegen", "display": "Meer Bewegen in de wijk"} in (
        codings
    )
    assert request["code"]["coding"][0]["code"] == "390893007"
    assert request["code"]["text"] == people["programme"].text("nl").title
    levels = {
        o["code"]["coding"][0]["code"]: o["valueCodeableConcept"]["coding"][0]["code"] for o in request["contained"]
    }
    assert levels == {"gezondheidsvaardigheden": "laag", "motivatie": "hoog"}
    assert request["supportingInfo"] == [{"reference": f"#{o['id']}"} for o in request["contained"]]
    agreement = request["note"][1]
    assert "consultation" in agreement["text"] and agreement["time"] == fhir.instant(referral.agreed_at)


def test_a_referral_without_route_map_is_a_plain_referral_and_a_resident_agreement_is_theirs(people):
    referral = refer(people, agreed=False, route_map=None)
    agree(people["resident"], referral, referral.version)
    db.session.commit()
    request_entry, _task = validated(fhir.bundle_for(referral, BASE))
    request = request_entry["resource"]
    assert [c["coding"][0]["code"] for c in request["category"]] == ["sdoh-category-unspecified"]
    assert request["code"]["coding"][0]["code"] == "3457005"
    assert request["note"][1]["authorReference"]["reference"] == f"Patient/{people['resident'].id}"


@pytest.mark.parametrize(
    "spoil",
    [
        lambda b: b["entry"][1]["resource"].pop("status"),
        lambda b: b["entry"][0]["resource"].pop("intent"),
        lambda b: b["entry"][1]["resource"].update(status="in-behandeling"),
        lambda b: b["entry"][0]["resource"].update(status="requested"),
        lambda b: b["entry"][1]["resource"].update(authoredOn="gisteren"),
        lambda b: b["entry"][1]["resource"].update(code={"text": "iets anders"}),
        lambda b: b["entry"][0]["resource"].update(category=[{"text": "bewegen"}]),
        lambda b: b["entry"][1]["resource"].update(statusReason={"coding": []}),
        lambda b: b["entry"][0]["resource"].update(unknown_element=True),
        lambda b: b.update(type="verzameling"),
    ],
)
def test_the_checks_catch_a_spoiled_bundle(people, spoil):
    bundle = fhir.bundle_for(in_status(people, "requested"), BASE)
    validated(copy.deepcopy(bundle))
    spoil(bundle)
    with pytest.raises((ValidationError, AssertionError, KeyError)):
        validated(bundle)


def test_nothing_about_the_resident_leaves_but_the_note_and_the_name(people):
    referral = in_status(people, "requested")
    changes.change_status(people["broker"], referral, "on-hold", referral.version, reason="other", note="Ziek thuis.")
    db.session.commit()
    text = json.dumps(fhir.bundle_for(referral, BASE, current_catalogue()), ensure_ascii=False)
    assert NOTE in text and "Mevrouw Jansen" in text
    for secret in ("jansen.geheim", "@", "Ziek thuis", people["gp"].display_name, people["broker"].display_name):
        assert secret not in text


def _path(referral_id) -> str:
    return f"/nl/professional/referrals/{referral_id}/fhir"


def test_the_referring_colleague_and_the_receiving_team_get_fhir_json(people, client, login):
    referral = in_status(people, "accepted")
    colleague = login("professional", organisation=people["practice"])
    response = client.get(_path(referral.id))
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert "no-store" in response.headers["Cache-Control"]
    request_entry, task_entry = validated(response.get_json(force=True))
    assert task_entry["resource"]["status"] == "accepted"
    assert request_entry["fullUrl"].startswith("http://localhost/fhir/ServiceRequest/")
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "referral")).all()
    assert [(a.actor_user_id, a.action, a.object_id, a.subject_user_id) for a in audit] == [
        (colleague.id, "read", str(referral.id), people["resident"].id)
    ]
    login("broker", organisation=people["broker"].organisation)
    assert client.get(_path(referral.id)).status_code == 200


@pytest.mark.parametrize(("role", "code"), [("professional", 404), ("broker", 404), ("admin", 403), ("resident", 403)])
def test_others_get_nothing(people, client, login, role, code):
    referral = in_status(people, "requested")
    if role == "resident":
        login("resident")
    else:
        login(role)  # another organisation's professional or beweegmakelaar, or a coordinator
    assert client.get(_path(referral.id)).status_code == code


def test_the_resident_themselves_and_anonymous_get_nothing(people, client):
    referral = in_status(people, "requested")
    response = client.get(_path(referral.id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    people["resident"].second_factor = "email"
    db.session.commit()
    sign_in(client, people["resident"])
    assert client.get(_path(referral.id)).status_code == 403


def test_a_voided_referral_is_gone_for_the_receiver_and_huge_ids_are_404(people, client, login):
    referral = in_status(people, "entered-in-error")
    login("broker", organisation=people["broker"].organisation)
    assert client.get(_path(referral.id)).status_code == 404
    assert client.get(_path(2**31)).status_code == 404
    assert client.get(_path(referral.id + 1000)).status_code == 404
    login("professional", organisation=people["practice"])
    response = client.get(_path(referral.id))
    assert response.status_code == 200
    assert validated(response.get_json(force=True))[1]["resource"]["status"] == "entered-in-error"


def test_a_draft_is_the_referrers_alone(people, client, login):
    referral = in_status(people, "draft")
    login("broker", organisation=people["broker"].organisation)
    assert client.get(_path(referral.id)).status_code == 404
    login("professional", organisation=people["practice"])
    assert client.get(_path(referral.id)).status_code == 200

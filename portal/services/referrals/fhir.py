"""A referral as FHIR R4 JSON: a Bundle with a ServiceRequest and its Task, after the Gravity SDOHCC profiles.

The mapping (also in docs/referrals.md, "FHIR export"):

- The ServiceRequest is the order; its status follows the Task's (draft; sent and open: active; completed;
  closed without help: revoked; made by mistake: entered-in-error). Its SDOHCC category is
  `sdoh-category-unspecified` (the Gravity SDOH domains have no physical activity); a route map adds the
  Physical Activity guide's `PhysicalActivity` category and its own `urn:wijkportaal:route-map` coding.
- The referrer's estimate of self-reliance, health literacy and motivation travels as contained Observations
  named in `supportingInfo` (R4 allows only references there, and a contained resource keeps the estimate
  inside this bundle).
- The resident's agreement is an Annotation in `note` (who agreed, where, and when); the handover note is the
  other one. Staff notes of later status changes never leave the portal: they may be about the resident.
- The Task carries the workflow: status (the referral's status, a Task code already), statusReason (the
  reason code in English words), businessStatus (the expected wait when a team has no capacity) and an
  output with the outcome once closed.
- fullUrl is `<base_url>/<type>/<id>`; the Task's `focus` ("ServiceRequest/<id>") resolves to the
  ServiceRequest's entry. Patient and Organization references name the portal's ids and carry a display.
"""

from __future__ import annotations

from datetime import datetime

from portal.models import Referral
from portal.services.referrals.referrals import subject_of
from portal.services.routekaarten.model import Catalogue

SR_PROFILE = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ServiceRequest"
TASK_PROFILE = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-TaskForReferralManagement"
SDOHCC_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
PA_CODES = "http://hl7.org/fhir/us/physical-activity/CodeSystem/pa-temporary-codes"
SNOMED = "http://snomed.info/sct"
TASK_CODES = "http://hl7.org/fhir/CodeSystem/task-code"
REFERRAL_SYSTEM = "urn:wijkportaal:referral"
TASK_SYSTEM = "urn:wijkportaal:referral-task"
REASON_SYSTEM = "urn:wijkportaal:referral-reason"
WAIT_SYSTEM = "urn:wijkportaal:referral-expected-wait"
OUTPUT_SYSTEM = "urn:wijkportaal:referral-output"
ROUTE_MAP_SYSTEM = "urn:wijkportaal:route-map"
DIMENSION_SYSTEM = "urn:wijkportaal:route-map-dimension"
LEVEL_SYSTEM = "urn:wijkportaal:route-map-level"

# Task status -> ServiceRequest status (the request's side of the same loop).
REQUEST_STATUS = {
    "draft": "draft",
    "requested": "active",
    "accepted": "active",
    "in-progress": "active",
    "on-hold": "active",
    "completed": "completed",
    "rejected": "revoked",
    "cancelled": "revoked",
    "failed": "revoked",
    "entered-in-error": "entered-in-error",
}
REASON_WORDS = {
    "no_capacity": "No capacity",
    "waiting_list": "On the waiting list",
    "resident_asked_to_wait": "The resident asked to wait",
    "not_eligible": "Not eligible",
    "referred_elsewhere": "Referred elsewhere",
    "could_not_contact": "Could not contact the resident",
    "no_longer_interested": "The resident is no longer interested",
    "resident_declined": "The resident declined",
    "did_not_attend": "The resident did not attend",
    "could_not_get_help": "The resident could not get the help needed",
    "got_help": "The resident got help",
    "got_help_elsewhere": "The resident got help elsewhere",
    "made_by_mistake": "Made by mistake",
    "other": "Other reason",
}
WAIT_WORDS = {
    "lt_1m": "Expected wait: less than 1 month",
    "1_3m": "Expected wait: 1 to 3 months",
    "gt_3m": "Expected wait: more than 3 months",
}
# Route maps about moving more: the Physical Activity guide's category and the SNOMED CT referral.
PHYSICAL_ACTIVITY_MAPS = frozenset({"meer-bewegen", "vitale-kinderen"})
_ACTIVITY_REFERRAL = (SNOMED, "390893007", "Referral to physical activity program (procedure)")
_REFERRAL = (SNOMED, "3457005", "Patient referral (procedure)")
_DIMENSIONS = (
    ("zelfredzaamheid", "self_reliance", "Self-reliance"),
    ("gezondheidsvaardigheden", "health_literacy", "Health literacy"),
    ("motivatie", "motivation", "Motivation"),
)
_LEVEL_WORDS = {"laag": "Low", "midden": "Medium", "hoog": "High"}


def instant(moment: datetime | None) -> str | None:
    """An aware datetime as an ISO 8601 FHIR dateTime with its offset (seconds), or None."""
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _coding(system: str, code: str, display: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict:
    concept = {"coding": [_coding(system, code, display)]}
    if text:
        concept["text"] = text
    return concept


def _patient(referral: Referral) -> dict:
    return {"reference": f"Patient/{referral.resident_id}", "display": referral.resident.display_name}


def _organisation(organisation) -> dict:
    return {"reference": f"Organization/{organisation.id}", "display": organisation.name}


def _categories(referral: Referral, catalogue: Catalogue | None) -> list[dict]:
    categories = [_concept(SDOHCC_CODES, "sdoh-category-unspecified", "SDOH Category Unspecified")]
    if referral.route_map:
        route_map = catalogue.get(referral.route_map) if catalogue is not None else None
        title = route_map.title.for_language("nl").text if route_map is not None else referral.route_map
        coding = [_coding(ROUTE_MAP_SYSTEM, referral.route_map, title)]
        if referral.route_map in PHYSICAL_ACTIVITY_MAPS:
            coding.insert(0, _coding(PA_CODES, "PhysicalActivity", "Physical Activity"))
        categories.append({"coding": coding, "text": title})
    return categories


def _levels(referral: Referral) -> list[dict]:
    """The referrer's estimates as contained Observations (only the dimensions that were filled in)."""
    observations = []
    for dimension, column, words in _DIMENSIONS:
        level = getattr(referral, column)
        if not level:
            continue
        observation = {
            "resourceType": "Observation",
            "id": f"level-{dimension}",
            "status": "final",
            "code": _concept(DIMENSION_SYSTEM, dimension, words, f"{words} (the referrer's estimate)"),
            "subject": {"reference": f"Patient/{referral.resident_id}"},
            "effectiveDateTime": instant(referral.created_at),
            "performer": [_organisation(referral.referrer_organisation)],
            "valueCodeableConcept": _concept(LEVEL_SYSTEM, level, _LEVEL_WORDS[level]),
        }
        if dimension == "gezondheidsvaardigheden":
            observation["category"] = [_concept(SDOHCC_CODES, "personal-health-literacy", "Personal Health Literacy")]
        observations.append(observation)
    return observations


def _notes(referral: Referral) -> list[dict]:
    notes = [
        {
            "authorReference": _organisation(referral.referrer_organisation),
            "time": instant(referral.created_at),
            "text": referral.note,
        }
    ]
    if referral.agreed_at is not None:
        if referral.agreement == "resident":
            author, text = _patient(referral), "The resident agreed to this referral in the portal."
        else:
            author = _organisation(referral.referrer_organisation)
            text = "The resident agreed to this referral in the consultation; the referring team recorded it."
        notes.append({"authorReference": author, "time": instant(referral.agreed_at), "text": text})
    return notes


def service_request(referral: Referral, catalogue: Catalogue | None = None) -> dict:
    """The referral as an SDOHCC ServiceRequest: what is asked of whom, for which resident, with the handover."""
    activity = referral.route_map in PHYSICAL_ACTIVITY_MAPS
    levels = _levels(referral)
    resource = {
        "resourceType": "ServiceRequest",
        "id": str(referral.id),
        "meta": {"profile": [SR_PROFILE]},
        "identifier": [{"system": REFERRAL_SYSTEM, "value": str(referral.id)}],
        "status": REQUEST_STATUS[referral.status],
        "intent": "order",
        "category": _categories(referral, catalogue),
        "code": _concept(*(_ACTIVITY_REFERRAL if activity else _REFERRAL), text=subject_of(referral)),
        "subject": _patient(referral),
        "authoredOn": instant(referral.requested_at or referral.created_at),
        "requester": _organisation(referral.referrer_organisation),
        "performer": [_organisation(referral.organisation)],
        "note": _notes(referral),
    }
    if levels:
        resource["contained"] = levels
        resource["supportingInfo"] = [{"reference": f"#{level['id']}"} for level in levels]
    return resource


def _reason(referral: Referral) -> dict | None:
    if not referral.reason:
        return None
    words = REASON_WORDS.get(referral.reason, referral.reason)
    return _concept(REASON_SYSTEM, referral.reason, words, words)


def task(referral: Referral) -> dict:
    """The referral's workflow as an SDOHCC Task for referral management: status, reason, wait and outcome."""
    resource = {
        "resourceType": "Task",
        "id": str(referral.id),
        "meta": {"profile": [TASK_PROFILE]},
        "identifier": [{"system": TASK_SYSTEM, "value": str(referral.id)}],
        "status": referral.status,
        "intent": "order",
        "code": _concept(TASK_CODES, "fulfill", "Fulfill the focal request"),
        "focus": {"reference": f"ServiceRequest/{referral.id}"},
        "for": _patient(referral),
        "authoredOn": instant(referral.requested_at or referral.created_at),
        "lastModified": instant(referral.changed_at),
        "requester": _organisation(referral.referrer_organisation),
        "owner": _organisation(referral.organisation),
    }
    reason = _reason(referral)
    if reason is not None:
        resource["statusReason"] = reason
    if referral.expected_wait:
        words = WAIT_WORDS[referral.expected_wait]
        resource["businessStatus"] = _concept(WAIT_SYSTEM, referral.expected_wait, words, words)
    start = referral.started_at or referral.accepted_at
    if start is not None:
        resource["executionPeriod"] = {"start": instant(start)}
        if referral.completed_at is not None:
            resource["executionPeriod"]["end"] = instant(referral.completed_at)
    if referral.status in ("completed", "failed") and reason is not None:
        output_type = _concept(OUTPUT_SYSTEM, "outcome", "Outcome of the referral", "Outcome")
        resource["output"] = [{"type": output_type, "valueCodeableConcept": reason}]
    return resource


def bundle_for(referral: Referral, base_url: str, catalogue: Catalogue | None = None) -> dict:
    """A FHIR R4 Bundle (collection) with the referral's ServiceRequest and Task; fullUrls under `base_url`."""
    base = base_url.rstrip("/")
    resources = (service_request(referral, catalogue), task(referral))
    return {
        "resourceType": "Bundle",
        "id": f"referral-{referral.id}",
        "type": "collection",
        "timestamp": instant(referral.changed_at),
        "entry": [
            {"fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}", "resource": resource}
            for resource in resources
        ],
    }

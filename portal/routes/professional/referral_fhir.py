"""A referral as FHIR R4 JSON (ServiceRequest and Task) for the referring and receiving teams' systems."""

from __future__ import annotations

import json

from flask import current_app, request

from portal.access import load_or_404, policy
from portal.extensions import db
from portal.models import Referral
from portal.routes.professional.blueprint import audit_read, bp
from portal.services import policy as policies
from portal.services.policy import CARE
from portal.services.referrals import fhir
from portal.services.routekaarten.content import current_catalogue

FHIR_JSON = "application/fhir+json"


@bp.get("/referrals/<int:referral_id>/fhir")
@policy(CARE, personal_data=True)
def referral_fhir(referral_id: int):
    """The referral as a FHIR Bundle with its ServiceRequest and Task, for the referrer's or receiver's staff."""
    referral = load_or_404(Referral, referral_id, policies.may_see_referral_as_staff)
    bundle = fhir.bundle_for(referral, f"{request.url_root}fhir", current_catalogue())
    audit_read("referral", referral.id, referral.resident_id, details="fhir")
    db.session.commit()
    response = current_app.response_class(json.dumps(bundle, ensure_ascii=False), mimetype=FHIR_JSON)
    response.headers["Cache-Control"] = "no-store"
    return response

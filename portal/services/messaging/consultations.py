"""Consulting another organisation about a resident: only with the resident's consent to that organisation."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import InvolvementConsent, Organisation, Thread, User
from portal.models.base import utcnow
from portal.services.messaging.care_relations import consent_for, in_care_of, is_care_professional
from portal.services.messaging.threads import MessagingError, open_thread


def consents_of(resident: User) -> list[InvolvementConsent]:
    """The resident's consents in force, by organisation name."""
    return list(
        db.session.scalars(
            select(InvolvementConsent)
            .join(Organisation, Organisation.id == InvolvementConsent.organisation_id)
            .where(InvolvementConsent.resident_id == resident.id, InvolvementConsent.withdrawn_at.is_(None))
            .order_by(Organisation.name)
        )
    )


def give(resident: User, organisation: Organisation) -> InvolvementConsent:
    """The resident agrees that their care team may consult `organisation` about them (given once)."""
    existing = consent_for(resident.id, organisation.id)
    if existing is not None:
        return existing
    consent = InvolvementConsent(resident_id=resident.id, organisation_id=organisation.id)
    db.session.add(consent)
    db.session.flush()
    return consent


def withdraw(resident: User, organisation_id: int) -> bool:
    """Withdraw the consent; the organisation no longer sees consultations about the resident. False if none."""
    consent = consent_for(resident.id, organisation_id)
    if consent is None:
        return False
    consent.withdrawn_at = utcnow()
    return True


def start(professional: User, resident: User, partner: Organisation, subject: str, body: str, key: str) -> Thread:
    """Open a consultation with another organisation's team; needs a care relation and the resident's consent."""
    if not is_care_professional(professional) or resident.role != "resident":
        raise MessagingError("not_allowed")
    if not in_care_of(professional, resident.id):
        raise MessagingError("no_relation")
    if partner.id == professional.organisation_id:
        raise MessagingError("same_team")
    if consent_for(resident.id, partner.id) is None:
        raise MessagingError("no_consent")
    return open_thread(
        professional,
        professional.organisation_id,
        subject,
        body,
        key,
        kind="consultation",
        resident_id=resident.id,
        partner_organisation_id=partner.id,
        assignee_id=professional.id,
    )

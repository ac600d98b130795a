"""Consents the portal asks for: given and withdrawn with one click, stored with the text version and time."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Consent, User
from portal.models.base import utcnow

# purpose -> version of the text a person agrees to; a new version asks again.
CONSENT_VERSIONS = {"activity_news": "2026-11"}


def current(user: User, purpose: str) -> Consent | None:
    """The consent in force for `purpose` (same text version, not withdrawn), or None."""
    return db.session.scalar(
        select(Consent)
        .where(
            Consent.user_id == user.id,
            Consent.purpose == purpose,
            Consent.version == CONSENT_VERSIONS[purpose],
            Consent.withdrawn_at.is_(None),
        )
        .order_by(Consent.given_at.desc())
        .limit(1)
    )


def overview(user: User) -> dict[str, Consent | None]:
    """Every purpose with the consent in force for it, or None."""
    return {purpose: current(user, purpose) for purpose in CONSENT_VERSIONS}


def give(user: User, purpose: str) -> Consent:
    """Record consent for `purpose` with the current text version; giving it twice keeps the first."""
    if purpose not in CONSENT_VERSIONS:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    existing = current(user, purpose)
    if existing is not None:
        return existing
    consent = Consent(user_id=user.id, purpose=purpose, version=CONSENT_VERSIONS[purpose], given_at=utcnow())
    db.session.add(consent)
    db.session.flush()
    return consent


def withdraw(user: User, purpose: str) -> bool:
    """Withdraw consent for `purpose`; True when there was one in force. The history stays."""
    if purpose not in CONSENT_VERSIONS:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    changed = False
    for consent in db.session.scalars(
        select(Consent).where(Consent.user_id == user.id, Consent.purpose == purpose, Consent.withdrawn_at.is_(None))
    ):
        consent.withdrawn_at = utcnow()
        changed = True
    return changed


def history(user: User) -> list[Consent]:
    """Every consent the account gave or withdrew, oldest first."""
    return list(db.session.scalars(select(Consent).where(Consent.user_id == user.id).order_by(Consent.given_at)))

"""The professional's workspace: residents, invitations, the team inbox, consultations, referrals, health checks,
away periods.

`bp` is the "professional" blueprint; importing the topic modules registers their routes on it."""

from __future__ import annotations

from portal.routes.professional import (  # noqa: F401  (they register routes)
    away,
    health_check,
    inbox,
    referral_fhir,
    referrals,
    referring,
    residents,
)
from portal.routes.professional.blueprint import bp

__all__ = ["bp"]

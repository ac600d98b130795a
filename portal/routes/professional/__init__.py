"""The professional's workspace: my residents and invitations, the team inbox, consultations and my away period.

`bp` is the "professional" blueprint; importing the topic modules registers their routes on it."""

from __future__ import annotations

from portal.routes.professional import away, inbox, referral_fhir, residents  # noqa: F401  (they register routes)
from portal.routes.professional.blueprint import bp

__all__ = ["bp"]

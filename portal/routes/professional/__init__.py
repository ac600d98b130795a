"""The professional's workspace: residents, invitations, the team inbox, consultations, referrals, away periods.

`bp` is the "professional" blueprint; importing the topic modules registers their routes on it."""

from __future__ import annotations

from portal.routes.professional import away, inbox, referrals, referring, residents  # noqa: F401  (they register routes)
from portal.routes.professional.blueprint import bp

__all__ = ["bp"]

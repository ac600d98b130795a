"""A professional with a resident in their organisation's care, made as in the portal: by an invitation code."""

from __future__ import annotations

from portal.extensions import db
from portal.services.messaging import care_relations
from tests.factories import UserFactory


def in_care(resident, organisation, role="professional", **attributes):
    """A professional (or `role`) of `organisation`, with `resident` in its care; committed."""
    professional = UserFactory(role=role, organisation=organisation, **attributes)
    _relation, code = care_relations.invite(professional)
    care_relations.accept_invitation(resident, code)
    db.session.commit()
    return professional

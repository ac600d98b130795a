"""The demo referrals: a referral through a route map, accepted, with a handover message; added only when missing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from portal.extensions import db
from portal.models import Programme, Referral
from portal.services.content_errors import ContentError, require
from portal.services.referrals import changes, handover
from portal.services.referrals.referrals import NewReferral, create
from portal.services.routekaarten.model import Catalogue
from portal.services.seed import demo_fields as fields
from portal.services.seed.demo_care import person


def _referral(item: dict, catalogue: Catalogue, file: str, where: str) -> bool:
    resident = person(require(item, "resident", str, file, where), file, where)
    referrer = person(require(item, "referrer", str, file, where), file, where)
    exists = db.session.scalar(
        select(Referral.id).where(
            Referral.resident_id == resident.id, Referral.referrer_organisation_id == referrer.organisation_id
        )
    )
    if exists is not None:
        return False
    slug = require(item, "programme", str, file, where)
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if programme is None:
        raise ContentError(file, f"{where}.programme", f"unknown programme {slug}")
    # A site with its own route maps may lack the demo's: the referral is then made without one.
    route_map = item.get("route_map") if catalogue.get(item.get("route_map") or "") else None
    new = NewReferral(
        resident=resident,
        programme=programme,
        route_map=route_map,
        route_step=item.get("step") if route_map else None,
        levels=item.get("levels") or {},
        note=require(item, "note", str, file, where),
        agreed_in_consultation=True,
    )
    referral = create(referrer, new, catalogue)
    if item.get("accepted_by"):
        receiver = person(item["accepted_by"], file, where)
        changes.change_status(receiver, referral, "accepted", referral.version)
    for i, message in enumerate(item.get("messages") or []):
        author = person(require(message, "from", str, file, f"{where}.messages[{i}]"), file, where)
        handover.write(author, referral, require(message, "text", str, file, f"{where}.messages[{i}]"), None)
    return True


def load_referrals(path: Path, catalogue: Catalogue) -> int:
    """Add the demo referrals that do not exist yet; returns how many were added."""
    if not path.exists():
        return 0
    file = path.name
    items = require(fields.read_yaml(path), "referrals", list, file, "file")
    return sum(_referral(item, catalogue, file, f"referrals[{i}]") for i, item in enumerate(items))

"""The demo care team: a care relation and a conversation for the demo accounts, added only when missing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from portal.extensions import db
from portal.models import CareRelation, Organisation
from portal.models.base import utcnow
from portal.services.accounts.users import find_user_by_email
from portal.services.content_errors import ContentError, require
from portal.services.messaging import threads
from portal.services.seed import demo_fields as fields


def person(email: str, file: str, where: str):
    """The demo account with this address; a ContentError names the file when there is none."""
    user = find_user_by_email(email)
    if user is None:
        raise ContentError(file, where, f"names {email}, which is not a demo account")
    return user


def _thread(item: dict, resident, organisation, file: str, where: str) -> None:
    messages = require(item, "messages", list, file, where)
    first = messages[0]
    thread = threads.start_thread(
        resident, organisation, require(item, "subject", str, file, where), first["text"], None
    )
    for i, message in enumerate(messages[1:], start=1):
        author = person(require(message, "from", str, file, f"{where}.messages[{i}]"), file, where)
        threads.post(author, thread, require(message, "text", str, file, f"{where}.messages[{i}]"), None)


def load_care(path: Path) -> int:
    """Add the demo care relations (and their threads) that do not exist yet; returns how many were added."""
    if not path.exists():
        return 0
    file = path.name
    added = 0
    for i, item in enumerate(require(fields.read_yaml(path), "care_relations", list, file, "file")):
        where = f"care_relations[{i}]"
        resident = person(require(item, "resident", str, file, where), file, where)
        slug = require(item, "organisation", str, file, where)
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
        if organisation is None:
            raise ContentError(file, f"{where}.organisation", f"unknown organisation {slug}")
        exists = db.session.scalar(
            select(CareRelation.id).where(
                CareRelation.resident_id == resident.id, CareRelation.organisation_id == organisation.id
            )
        )
        if exists is not None:
            continue
        inviter = person(require(item, "invited_by", str, file, where), file, where)
        db.session.add(
            CareRelation(
                resident_id=resident.id,
                organisation_id=organisation.id,
                status="active",
                started_by="professional",
                invited_by_id=inviter.id,
                active_since=utcnow(),
            )
        )
        db.session.flush()
        for j, thread in enumerate(item.get("threads") or []):
            _thread(thread, resident, organisation, file, f"{where}.threads[{j}]")
        added += 1
    return added

"""Making a referral: who may refer whom to what, the resident's agreement, and sending it to the team."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Organisation, Programme, Referral, ReferralEvent, User
from portal.models.base import utcnow
from portal.services.messaging.care_relations import in_care_of, is_care_professional
from portal.services.messaging.threads import open_thread
from portal.services.routekaarten.model import DIMENSIONS, LEVELS, Catalogue

MAX_NOTE = 2000
MAX_REASON_NOTE = 1000
OFFERABLE = ("published",)  # a team's care-team-only programmes are for residents already in its care
_LEVEL_COLUMNS = dict(zip(DIMENSIONS, ("self_reliance", "health_literacy", "motivation"), strict=True))


class ReferralError(Exception):
    """A referral that cannot be made or changed; `code` says why (the route puts it in words)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class NewReferral:
    """What a professional fills in to refer a resident."""

    resident: User
    programme: Programme | None = None
    organisation: Organisation | None = None
    route_map: str | None = None
    route_step: str | None = None
    levels: dict[str, str] = field(default_factory=dict)
    note: str = ""
    agreed_in_consultation: bool = False
    key: str | None = None


def clean_note(text: str | None, limit: int, required: bool = True) -> str | None:
    """The note without surrounding space; raises ReferralError note_empty or note_too_long."""
    text = (text or "").strip()
    if not text:
        if required:
            raise ReferralError("note_empty")
        return None
    if len(text) > limit:
        raise ReferralError("note_too_long")
    return text


def parties_of(user: User | None, referral: Referral) -> frozenset[str]:
    """The sides the user is on: 'resident' (their own), 'referrer' (referring team, resident in its care) or
    'receiver' (the team it was sent to, once sent and unless voided as made by mistake)."""
    if user is None or referral is None:
        return frozenset()
    if user.role == "resident":
        return frozenset({"resident"}) if referral.resident_id == user.id else frozenset()
    if not is_care_professional(user):
        return frozenset()
    parties = set()
    if user.organisation_id == referral.referrer_organisation_id and in_care_of(user, referral.resident_id):
        parties.add("referrer")
    if user.organisation_id == referral.organisation_id and referral.status not in ("draft", "entered-in-error"):
        parties.add("receiver")
    return frozenset(parties)


def _check_route(catalogue: Catalogue, slug: str | None, step: str | None) -> None:
    if not slug:
        if step:
            raise ReferralError("bad_route_map")
        return
    route_map = catalogue.get(slug)
    if route_map is None or (step and step not in {s.id for s in route_map.steps}):
        raise ReferralError("bad_route_map")


def _levels(levels: dict[str, str]) -> dict[str, str | None]:
    columns = {}
    for dimension, value in levels.items():
        if dimension not in _LEVEL_COLUMNS or (value and value not in LEVELS):
            raise ReferralError("bad_level")
        columns[_LEVEL_COLUMNS[dimension]] = value or None
    return columns


def _receiver(new: NewReferral) -> tuple[Organisation, Programme | None]:
    if new.programme is not None:
        if new.programme.status not in OFFERABLE:
            raise ReferralError("offer_unavailable")
        return new.programme.organisation, new.programme
    if new.organisation is None:
        raise ReferralError("no_offer")
    return new.organisation, None


def create(referrer: User, new: NewReferral, catalogue: Catalogue) -> Referral:
    """A referral by a professional of a resident in their care: a draft, sent at once when the resident agreed
    in the consultation. A repeated form (same key) returns the referral it made. Raises ReferralError."""
    if not is_care_professional(referrer) or new.resident.role != "resident":
        raise ReferralError("no_relation")
    if not in_care_of(referrer, new.resident.id):
        raise ReferralError("no_relation")
    if new.key:
        repeat = db.session.scalar(
            select(Referral).where(Referral.referrer_id == referrer.id, Referral.idempotency_key == new.key)
        )
        if repeat is not None:
            return repeat
    organisation, programme = _receiver(new)
    _check_route(catalogue, new.route_map, new.route_step)
    now = utcnow()
    referral = Referral(
        resident_id=new.resident.id,
        referrer_id=referrer.id,
        referrer_organisation_id=referrer.organisation_id,
        organisation_id=organisation.id,
        programme_id=programme.id if programme else None,
        route_map=new.route_map or None,
        route_step=new.route_step or None,
        note=clean_note(new.note, MAX_NOTE),
        status="draft",
        idempotency_key=new.key or None,
        created_at=now,
        changed_at=now,
        **_levels(new.levels),
    )
    db.session.add(referral)
    db.session.flush()
    record_event(referral, referrer, "referrer", "status", to_status="draft")
    if new.agreed_in_consultation:
        record_agreement(referrer, referral, referral.version)
    return referral


def record_event(referral: Referral, actor: User | None, party: str, kind: str, **values) -> ReferralEvent:
    """Add one line to the referral's history."""
    event = ReferralEvent(
        referral=referral, actor_id=actor.id if actor else None, actor_party=party, kind=kind, **values
    )
    db.session.add(event)
    return event


def bump(referral: Referral, version: int, **values) -> None:
    """Apply `values` only while the referral is still at `version` (one statement); raises stale otherwise."""
    changed = db.session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.version == version)
        .values(version=Referral.version + 1, changed_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise ReferralError("stale")
    db.session.refresh(referral)


def record_agreement(professional: User, referral: Referral, version: int) -> None:
    """The professional records that the resident agreed during the consultation (who, when); then it is sent."""
    if "referrer" not in parties_of(professional, referral) or referral.status != "draft":
        raise ReferralError("stale" if referral.status != "draft" else "not_allowed")
    now = utcnow()
    bump(referral, version, agreement="consultation", agreed_at=now, agreement_recorded_by_id=professional.id)
    record_event(referral, professional, "referrer", "agreed", detail="consultation")
    _send(referral, professional)


def agree(resident: User, referral: Referral, version: int) -> None:
    """The resident confirms the referral in the portal; then it is sent to the team."""
    if referral.resident_id != resident.id or referral.status != "draft":
        raise ReferralError("stale")
    bump(referral, version, agreement="resident", agreed_at=utcnow())
    record_event(referral, resident, "resident", "agreed", detail="resident")
    _send(referral, referral.referrer or resident)


def _send(referral: Referral, author: User) -> None:
    """Draft -> requested: the handover thread opens with the note as its first message, by the referrer."""
    now = utcnow()
    thread = open_thread(
        author,
        referral.organisation_id,
        subject_of(referral),
        referral.note,
        None,
        resident_id=referral.resident_id,
        kind="referral",
        partner_organisation_id=referral.referrer_organisation_id,
    )
    bump(referral, referral.version, status="requested", requested_at=now, thread_id=thread.id)
    record_event(referral, None, "system", "status", from_status="draft", to_status="requested")


def subject_of(referral: Referral) -> str:
    """The handover thread's subject: the offer's Dutch title, or the receiving organisation's name."""
    if referral.programme is not None:
        return referral.programme.text("nl").title[:120]
    return db.session.get(Organisation, referral.organisation_id).name[:120]

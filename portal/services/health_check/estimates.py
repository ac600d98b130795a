"""A professional's own estimate of a resident's mark, recorded with the resident beside one of their checks."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import HealthCheck, HealthCheckEstimate, User
from portal.models.base import utcnow
from portal.models.health_check import DOMAINS
from portal.services.health_check import sharing
from portal.services.health_check.answers import AnswerError, parse_mark

ID_LIMIT = 500  # check ids asked for at once


class EstimateError(Exception):
    """An estimate that cannot be stored: `code` is 'already', 'not_allowed' or an AnswerError problem; `field`."""

    def __init__(self, code: str, field: str = ""):
        super().__init__(f"{field}: {code}" if field else code)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Estimate:
    """One estimate as the pages show it: the mark, domain marks given, who (organisation, professional) and when."""

    check_id: int
    mark: int
    domains: dict[str, int]
    organisation: str
    organisation_id: int
    professional: str | None
    recorded_at: datetime


def parse(mark, domains: dict | None = None) -> tuple[int, dict[str, int]]:
    """The mark (required) and any domain marks given (optional) from form text; raises EstimateError."""
    try:
        parsed = parse_mark(mark, "mark")
        given = {}
        for domain in DOMAINS:
            value = parse_mark((domains or {}).get(domain), domain, required=False)
            if value is not None:
                given[domain] = value
    except AnswerError as error:
        raise EstimateError(error.problem, error.code) from None
    return parsed, given


def record_estimate(professional: User, check: HealthCheck, mark, domains: dict | None = None) -> HealthCheckEstimate:
    """Store the professional's team's one estimate for a check it may see; never overwrites one already there.

    Raises EstimateError: not_allowed (no active care relation and share), already, or a mark problem."""
    if not sharing.may_view(professional, check.resident_id):
        raise EstimateError("not_allowed")
    value, given = parse(mark, domains)
    if _of_team(check.id, professional.organisation_id) is not None:
        raise EstimateError("already")
    row = HealthCheckEstimate(
        check_id=check.id,
        professional_id=professional.id,
        organisation_id=professional.organisation_id,
        marks=json.dumps({"mark": value, "domains": given}, sort_keys=True),
        recorded_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # a colleague or a double click was first: theirs stays
        raise EstimateError("already") from None
    return row


def _of_team(check_id: int, organisation_id: int) -> HealthCheckEstimate | None:
    return db.session.scalar(
        select(HealthCheckEstimate).where(
            HealthCheckEstimate.check_id == check_id, HealthCheckEstimate.organisation_id == organisation_id
        )
    )


def view(row: HealthCheckEstimate) -> Estimate:
    """An estimate row as the pages and the data copy read it (its marks unsealed)."""
    data = json.loads(row.marks or "{}")
    return Estimate(
        check_id=row.check_id,
        mark=int(data.get("mark", 0)),
        domains={key: int(value) for key, value in (data.get("domains") or {}).items() if key in DOMAINS},
        organisation=row.organisation.name,
        organisation_id=row.organisation_id,
        professional=row.professional.display_name if row.professional is not None else None,
        recorded_at=row.recorded_at,
    )


def estimates_for(check_ids) -> dict[int, list[Estimate]]:
    """The estimates beside each of these checks, oldest first: {check_id: [Estimate, ...]} (at most 500 ids)."""
    ids = sorted({int(check_id) for check_id in check_ids})[:ID_LIMIT]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(HealthCheckEstimate)
        .where(HealthCheckEstimate.check_id.in_(ids))
        .options(selectinload(HealthCheckEstimate.organisation), selectinload(HealthCheckEstimate.professional))
        .order_by(HealthCheckEstimate.recorded_at, HealthCheckEstimate.id)
    )
    found: dict[int, list[Estimate]] = defaultdict(list)
    for row in rows:
        found[row.check_id].append(view(row))
    return dict(found)

"""The demo health checks: three checks of the demo resident, shared with her practice, one with the GP's estimate."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.models import HealthCheck, Organisation
from portal.models.base import utcnow
from portal.services.content_errors import ContentError, require
from portal.services.health_check import checks, estimates, sharing
from portal.services.health_check.answers import AnswerError, Answers, from_form
from portal.services.health_check.estimates import EstimateError
from portal.services.seed import demo_fields as fields
from portal.services.seed.demo_care import person


def _answers(item: dict, file: str, where: str) -> Answers:
    """The check of a demo item, read by the same rules as the resident's form."""
    form = MultiDict({"mark": str(item.get("mark", ""))})
    for domain, mark in require(item, "domains", dict, file, where).items():
        form[str(domain)] = str(mark)
    for question, answer in (item.get("texts") or {}).items():
        form[str(question)] = str(answer)
    form.setlist("talk", [str(domain) for domain in item.get("talk") or ()])
    try:
        return from_form(form)
    except AnswerError as error:
        raise ContentError(file, f"{where}.{error.code}", f"is not a valid answer ({error.problem})") from None


def _organisation(slug: str, file: str, where: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise ContentError(file, where, f"unknown organisation {slug}")
    return organisation


def _resident_checks(item: dict, file: str, where: str) -> bool:
    resident = person(require(item, "resident", str, file, where), file, where)
    if db.session.scalar(select(HealthCheck.id).where(HealthCheck.resident_id == resident.id).limit(1)):
        return False
    for slug in item.get("share_with") or []:
        sharing.share(resident, _organisation(slug, file, f"{where}.share_with"))
    now = utcnow()
    for i, entry in enumerate(require(item, "checks", list, file, where)):
        place = f"{where}.checks[{i}]"
        days = require(entry, "days_ago", int, file, place)
        check = checks.record(resident, _answers(entry, file, place), taken_at=now - timedelta(days=days))
        if entry.get("estimate"):
            db.session.flush()
            professional = person(require(entry["estimate"], "by", str, file, f"{place}.estimate"), file, place)
            try:
                estimates.record_estimate(professional, check, str(entry["estimate"].get("mark", "")))
            except EstimateError as error:
                raise ContentError(file, f"{place}.estimate", f"cannot be recorded ({error.code})") from None
    return True


def load_health_checks(path: Path) -> int:
    """Add the demo residents' health checks when they have none yet; returns for how many residents."""
    if not path.exists():
        return 0
    file = path.name
    items = require(fields.read_yaml(path), "health_checks", list, file, "file")
    return sum(_resident_checks(item, file, f"health_checks[{i}]") for i, item in enumerate(items))

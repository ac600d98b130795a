"""Health checks as health data: sealed in the database, in the resident's data copy, re-sealed by key rotation."""

from __future__ import annotations

import json
from datetime import timedelta

from cryptography.fernet import Fernet
from sqlalchemy import Text, select, type_coerce

from portal.extensions import db
from portal.models import HealthCheck, HealthCheckEstimate, HealthCheckReminder
from portal.models.base import utcnow
from portal.services.health_check import checks, estimates, sharing
from portal.services.health_check.answers import Answers
from tests.factories import OrganisationFactory, UserFactory
from tests.support.accounts import sign_in
from tests.support.care import in_care

DOMAINS = {"body": 5, "mind": 6, "social": 7, "societal": 4}
WORDS = "Wandelen met de buurvrouw helpt"


def _shared_check():
    """A resident's check shared with her practice, with the POH's estimate beside it; committed."""
    practice = OrganisationFactory(name="Huisartsenpraktijk Overvecht")
    resident = UserFactory(role="resident", display_name="Fatma Yilmaz")
    poh = in_care(resident, practice, display_name="POH Ans")
    earlier = checks.record(resident, Answers(mark=5, domains=DOMAINS), taken_at=utcnow() - timedelta(days=30))
    check = checks.record(resident, Answers(mark=7, domains=DOMAINS, texts={"keeps": WORDS}, talk=("mind",)))
    sharing.share(resident, practice)
    sharing.withdraw(resident, practice.id)
    sharing.share(resident, practice)
    estimates.record_estimate(poh, check, "6", {"social": "8"})
    db.session.commit()
    return resident, practice, earlier, check


def test_marks_and_answers_are_not_readable_in_the_database(app):
    _resident, _practice, _earlier, check = _shared_check()
    raw_answers = db.session.scalars(select(type_coerce(HealthCheck.answers, Text))).all()
    raw_marks = db.session.scalars(select(type_coerce(HealthCheckEstimate.marks, Text))).all()
    assert len(raw_answers) == 2 and len(raw_marks) == 1
    for raw in raw_answers + raw_marks:
        assert "mark" not in raw and "domains" not in raw and "Wandelen" not in raw and raw.startswith("gAAAA")
    assert checks.history(check.resident_id)[-1].answers.texts == {"keeps": WORDS}  # and it reads back


def test_the_data_copy_holds_every_check_estimate_share_and_the_reminder(app, client):
    resident, _practice, _earlier, _check = _shared_check()
    db.session.add(HealthCheckReminder(resident_id=resident.id, every_weeks=6, next_at=utcnow() + timedelta(weeks=6)))
    db.session.commit()
    sign_in(client, resident)
    data = json.loads(client.get("/nl/account/data.json").get_data(as_text=True))["health_check"]
    first, latest = data["checks"]
    assert (first["mark"], first["estimates"]) == (5, [])
    assert latest["mark"] == 7 and latest["domains"] == DOMAINS
    assert latest["texts"] == {"keeps": WORDS} and latest["talk_about"] == ["mind"] and latest["taken_at"]
    (estimate,) = latest["estimates"]
    assert estimate["organisation"] == "Huisartsenpraktijk Overvecht" and estimate["mark"] == 6
    assert estimate["domains"] == {"social": 8} and estimate["recorded_at"]
    assert [(share["organisation"], share["withdrawn_at"] is None) for share in data["shared_with"]] == [
        ("Huisartsenpraktijk Overvecht", False),
        ("Huisartsenpraktijk Overvecht", True),
    ]  # oldest first: the withdrawn share, then the one in force
    assert data["reminder"]["every_weeks"] == 6
    page = client.get("/en/account/data").get_data(as_text=True)
    assert "Your health checks" in page and WORDS in page and "Estimate of Huisartsenpraktijk Overvecht" in page
    assert "Reminder: every 6 weeks." in page


def test_a_resident_without_checks_has_an_empty_section(app, client):
    resident = UserFactory(role="resident")
    sign_in(client, resident)
    data = json.loads(client.get("/nl/account/data.json").get_data(as_text=True))["health_check"]
    assert data == {"checks": [], "shared_with": [], "reminder": None}
    assert "Your health checks" not in client.get("/en/account/data").get_data(as_text=True)


def test_rotating_the_key_seals_checks_and_estimates_again(make_app):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    first = make_app(PORTAL_MESSAGE_KEYS=old)
    with first.app_context():
        resident, _practice, _earlier, check = _shared_check()
        resident_id, check_id = resident.id, check.id
    both = make_app(PORTAL_MESSAGE_KEYS=f"{new},{old}")
    with both.app_context():
        result = both.test_cli_runner().invoke(args=["messages", "rotate-key", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "not opened by any key: 0" in result.output
    only_new = make_app(PORTAL_MESSAGE_KEYS=new)
    with only_new.app_context():
        latest = checks.history(resident_id)[-1]
        assert latest.check.id == check_id and latest.answers.mark == 7 and latest.answers.texts == {"keeps": WORDS}
        (estimate,) = estimates.estimates_for([check_id])[check_id]
        assert estimate.mark == 6
        raw = db.session.scalar(select(type_coerce(HealthCheck.answers, Text)).where(HealthCheck.id == check_id))
        assert json.loads(Fernet(new.encode()).decrypt(raw.encode()))["mark"] == 7

"""The audit log: written with each staff access, append-only, searchable and exportable by coordinators."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from portal.extensions import db
from portal.models import AuditEvent
from portal.services import audit
from tests.factories import OrganisationFactory, UserFactory


def _event(**extra):
    actor = UserFactory(role="admin", organisation=OrganisationFactory())
    event = audit.record(actor, "read", "account", context=audit.AuditContext("req-1", "10.0.0.1"), **extra)
    db.session.commit()
    return event


def test_the_database_refuses_to_change_or_delete_an_audit_record(app):
    event = _event()
    with pytest.raises(DatabaseError):
        db.session.execute(text("UPDATE audit_events SET action = 'export' WHERE id = :id"), {"id": event.id})
    db.session.rollback()
    with pytest.raises(DatabaseError):
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": event.id})
    db.session.rollback()
    event = db.session.get(AuditEvent, event.id)
    event.action = "export"
    with pytest.raises(DatabaseError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(DatabaseError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).action == "read"


def test_the_application_offers_no_way_to_change_the_log(app):
    public = [name for name in dir(audit) if not name.startswith("_") and callable(getattr(audit, name))]
    assert not [name for name in public if any(word in name for word in ("update", "delete", "remove", "purge"))]
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.audit"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}


def test_a_record_has_who_whom_what_when_where(app, client, login):
    coordinator = login("admin", organisation=OrganisationFactory(name="Gezondheidscentrum"))
    resident = UserFactory(display_name="Fatma Yilmaz")
    db.session.commit()
    response = client.get(f"/nl/admin/accounts/{resident.id}", headers={"X-Forwarded-For": "1.2.3.4"})
    assert response.status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.request_id == response.headers["X-Request-ID"]))
    assert (event.actor_user_id, event.actor_role, event.actor_name) == (
        coordinator.id,
        "admin",
        coordinator.display_name,
    )
    assert event.actor_organisation_name == "Gezondheidscentrum" and event.on_behalf_of == "Gezondheidscentrum"
    assert (event.subject_user_id, event.action, event.object_type, event.object_id) == (
        resident.id,
        "read",
        "account",
        str(resident.id),
    )
    assert event.outcome == "success" and event.occurred_at.tzinfo is not None
    assert event.client_address == "127.0.0.1"  # X-Forwarded-For is ignored without trusted proxies


def test_a_resident_sees_who_looked_at_their_data(app, client, login):
    resident = login("resident")
    coordinator = UserFactory(role="admin", display_name="Coördinator Sanne", organisation=OrganisationFactory())
    db.session.commit()
    audit.record(coordinator, "read", "account", context=audit.AuditContext(), subject=resident)
    audit.record(resident, "export", "account", context=audit.AuditContext(), subject=resident)
    db.session.commit()
    page = client.get("/nl/account/viewed-by").get_data(as_text=True)
    assert "Coördinator Sanne" in page
    assert page.count("<tr>") == 2  # header + the coordinator's look; the resident's own download is not listed


def test_coordinators_search_and_export_and_that_is_logged_too(app, client, login):
    coordinator = login("admin")
    resident = UserFactory()
    db.session.commit()
    audit.record(
        coordinator, "read", "account", context=audit.AuditContext(), subject=resident, details="=cmd|' /C calc'!A0"
    )
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    page = client.get("/nl/admin/audit", query_string={"subject": resident.id})
    assert page.status_code == 200 and resident.display_name in page.get_data(as_text=True)
    export = client.get("/nl/admin/audit.csv", query_string={"subject": resident.id})
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    # the look itself, then the coordinator's search and export of this resident's trail
    assert [(row["object_type"], row["details"]) for row in rows] == [
        ("account", "'=cmd|' /C calc'!A0"),
        ("audit_log", "page 1"),
        ("audit_log", ""),
    ]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before + 2
    logged = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "audit_log")).all()
    assert sorted(logged) == ["export", "search"]


@pytest.mark.parametrize(
    "query", [{"actor": "abc"}, {"since": "2026-13-45"}, {"action": "drop table"}, {"subject": "-1"}, {"page": "x"}]
)
def test_bad_audit_searches_are_told_not_crashed(app, client, login, query):
    login("admin")
    assert client.get("/nl/admin/audit", query_string=query).status_code == 200
    assert client.get("/nl/admin/audit.csv", query_string=query).status_code in (200, 400)


def test_spreadsheet_formulas_are_neutralised():
    assert audit.spreadsheet_safe("=1+1") == "'=1+1"
    assert audit.spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert audit.spreadsheet_safe("gewoon") == "gewoon"
    assert audit.spreadsheet_safe(None) == ""

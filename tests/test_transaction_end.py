"""A request whose transaction only read ends it with COMMIT on PostgreSQL (psycopg keeps its prepared statements);
a request that wrote without committing, or failed, is rolled back as before, on both databases."""

from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import select, text, update

from portal.access import policy
from portal.extensions import db
from portal.models import Programme
from portal.services.policy import PUBLIC
from portal.transaction_end import reads_only
from tests.factories import ProgrammeFactory


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT programmes.id FROM programmes WHERE programmes.status = %(status)s",
        "  select 1",
        "WITH matched AS (SELECT id FROM programmes) SELECT id FROM matched",
        "SELECT users.updated_at, users.deleted_flag FROM users",  # words that only contain a keyword
    ],
)
def test_plain_reads_are_reads(statement):
    assert reads_only(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO audit_events (occurred_at) VALUES (%(occurred_at)s)",
        "UPDATE users SET last_seen_at = %(now)s WHERE users.id = %(id)s",
        "DELETE FROM sessions",
        "SELECT id FROM bookings WHERE id = 1 FOR UPDATE",
        "WITH gone AS (DELETE FROM bookings RETURNING id) SELECT count(*) FROM gone",
        "SELECT setval('programmes_id_seq', 1)",
        "SELECT nextval('programmes_id_seq')",
        "SELECT set_config('search_path', 'x', false)",
        "SELECT pg_advisory_lock(1)",
        "SET LOCAL statement_timeout = 1000",
        "LOCK TABLE bookings",
        "CALL something()",
        "",
    ],
)
def test_anything_else_counts_as_a_write(statement):
    assert not reads_only(statement)


@pytest.fixture
def routes(app):
    """Views that read and then, as ?how= says, write without committing (by flush, ORM update or text) or fail."""

    @policy(PUBLIC)
    def prepared():
        return str(db.session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar())

    @policy(PUBLIC)
    def writes():
        db.session.execute(select(Programme.id)).all()
        how = request.args["how"]
        if how == "flush":
            ProgrammeFactory(texts={"nl": "Stiekem"})
            db.session.flush()
        elif how == "orm":
            db.session.execute(update(Programme).values(status="draft"))
        elif how == "text":
            db.session.execute(text("UPDATE programmes SET status = 'draft'"))
        elif how == "pending":
            db.session.get(Programme, int(request.args["id"])).status = "draft"  # changed, never flushed
        elif how == "fail":
            raise RuntimeError("the view failed")
        return "done"

    app.add_url_rule("/t/prepared", "prepared", prepared)
    app.add_url_rule("/t/writes", "writes", writes)
    app.config["PROPAGATE_EXCEPTIONS"] = False


def test_a_request_that_only_read_keeps_its_prepared_statements(routes, client):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements")
    db.session.remove()  # the test holds no connection: every request gets the same pooled one
    seen = [int(client.get("/t/prepared").data) for _ in range(8)]
    # psycopg prepares a statement at its sixth run; a ROLLBACK at the end of each request would forget it again
    assert seen[:5] == [0] * 5 and seen[-1] >= 1, seen


@pytest.mark.parametrize("how", ["flush", "orm", "text", "pending", "fail"])
def test_a_request_that_wrote_without_committing_or_failed_is_rolled_back(routes, client, how):
    programme = ProgrammeFactory(texts={"nl": "Wandelen"})
    db.session.commit()
    response = client.get(f"/t/writes?how={how}&id={programme.id}")
    assert response.status_code == (500 if how == "fail" else 200)
    db.session.remove()
    assert [(p.status, p.text("nl").title) for p in db.session.scalars(select(Programme))] == [
        ("published", "Wandelen")
    ]

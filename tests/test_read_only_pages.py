"""Anonymous public pages read without a transaction on PostgreSQL, and no public page can write."""

from __future__ import annotations

import pytest
from sqlalchemy import event, update

from portal.access import policy
from portal.extensions import db
from portal.models import Programme
from portal.page_cache import cached_page
from portal.read_only_pages import WriteInReadOnlyPage
from portal.services.policy import PUBLIC
from tests.factories import ProgrammeFactory

PUBLIC_PAGES = ("/nl/", "/nl/programmes", "/nl/programmes?q=wandelen", "/nl/map", "/nl/organisations")


@pytest.fixture
def statements(app, programme):
    """(autocommit, transaction status after it) of every statement sent on PostgreSQL after one programme is listed."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("autocommit reads are a PostgreSQL matter: SQLite starts no transaction for a read")
    seen = []

    def _after(conn, cursor, statement, parameters, context, executemany):
        raw = conn.connection.dbapi_connection
        seen.append((raw.autocommit, raw.info.transaction_status.name, statement.split(None, 1)[0]))

    event.listen(db.engine, "after_cursor_execute", _after)
    yield seen
    event.remove(db.engine, "after_cursor_execute", _after)


@pytest.fixture
def programme(app):
    """One listed programme, committed so the pages find it."""
    made = ProgrammeFactory(texts={"nl": "Wandelen in het park"})
    db.session.commit()
    db.session.remove()
    return made


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_an_anonymous_public_page_sends_no_begin_and_no_rollback(statements, client, path):
    assert client.get(path).status_code == 200
    assert statements, "the page read nothing"
    # autocommit: psycopg sends no BEGIN, so no transaction is open after any statement and none is rolled back
    assert {(autocommit, status) for autocommit, status, _ in statements} == {(True, "IDLE")}


def test_a_signed_in_visitor_reads_in_a_transaction(statements, client, login):
    login("resident")
    statements.clear()
    assert client.get("/nl/programmes").status_code == 200
    assert statements and {(autocommit, status) for autocommit, status, _ in statements} == {(False, "INTRANS")}


def test_the_pooled_connection_is_back_in_transactions_after_an_anonymous_page(statements, client):
    assert client.get("/nl/").status_code == 200
    ProgrammeFactory(texts={"nl": "Zwemmen"})  # a write outside that request, on the connection the pool hands back
    db.session.commit()
    assert statements[-1][:2] == (False, "INTRANS")  # the INSERT ran in a transaction, and was committed
    db.session.remove()
    assert db.session.query(Programme).count() == 2


@pytest.fixture
def writing_page(app):
    """A public page that (wrongly) writes, by the ORM or by an UPDATE statement, as ?how=flush|update says."""

    @policy(PUBLIC)
    @cached_page
    def writes():
        from flask import request

        if request.args["how"] == "flush":
            ProgrammeFactory(texts={"nl": "Stiekem"})
            db.session.flush()
        else:
            db.session.execute(update(Programme).values(status="draft"))
        return "written"

    app.add_url_rule("/<lang:lang>/writes", "writes", writes)
    return writes


@pytest.mark.parametrize("how", ["flush", "update"])
def test_a_public_page_that_writes_is_refused_on_both_databases(writing_page, programme, client, how):
    with pytest.raises(WriteInReadOnlyPage):  # TESTING propagates it; in production it is a 500 page
        client.get(f"/nl/writes?how={how}")
    db.session.remove()
    assert [p.status for p in db.session.query(Programme)] == ["published"]


def test_a_signed_in_visitor_on_that_page_is_not_refused(writing_page, programme, client, login):
    login("resident")
    assert client.get("/nl/writes?how=update").data == b"written"  # only anonymous requests are read-only

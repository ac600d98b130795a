"""Anonymous public pages read PostgreSQL in autocommit: no BEGIN and no ROLLBACK round trip, and no writes.

A public page (`@cached_page`) for an anonymous visitor only reads. In a transaction each such request sends
BEGIN before its first statement and ROLLBACK when its connection goes back to the pool: two round trips to the
database besides the page's own statements. PostgreSQL's default READ COMMITTED gives every statement its own
snapshot, transaction or not, so autocommit changes what the page sees in no way. It also lets psycopg keep
its prepared statements between requests (a ROLLBACK discards them). A write in such a request is a bug: the
session refuses it before it reaches the database, on SQLite too (which starts no transaction for a read
anyway), so such a bug fails the tests on either database.
"""

from __future__ import annotations

from flask import current_app
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

READ_ONLY = "portal.read_only"
_AUTOCOMMIT_PENDING = "portal.read_only.autocommit"


class WriteInReadOnlyPage(RuntimeError):
    """A public page tried to write: refused, since its statements run without a transaction."""


class PortalSession(FlaskSession):
    """The portal's database session: in a read-only request its first connection is in autocommit."""

    def connection(self, bind_arguments=None, execution_options=None):
        """The session's connection; taken in autocommit when read_without_transaction asked for it."""
        if self.info.pop(_AUTOCOMMIT_PENDING, False) and execution_options is None:
            execution_options = {"isolation_level": "AUTOCOMMIT"}
        return super().connection(bind_arguments, execution_options)


def read_without_transaction() -> None:
    """Refuse writes for the rest of this request and, on PostgreSQL, read in autocommit (if nothing was read yet)."""
    db = current_app.extensions["sqlalchemy"]
    session = db.session()
    if session.in_transaction():
        return
    session.info[READ_ONLY] = True  # on both databases, so a writing public page fails in every test run
    if db.engine.dialect.name == "postgresql":
        # Connected at the first statement, not here: a database that is down fails where the view handles it.
        session.info[_AUTOCOMMIT_PENDING] = True


def _reads(statement) -> bool:
    """A SELECT, or a textual statement that starts as one."""
    if statement.is_select:
        return True
    words = str(statement).lstrip().split(None, 1) if isinstance(statement, TextClause) else ()
    return bool(words) and words[0].upper() in ("SELECT", "WITH")


def _guard(orm_execute_state) -> None:
    """Before each ORM statement: refuse a write in a read-only request; connect in autocommit before the first."""
    info = orm_execute_state.session.info
    if not info.get(READ_ONLY):
        return
    if not _reads(orm_execute_state.statement):
        raise WriteInReadOnlyPage(type(orm_execute_state.statement).__name__)
    if info.get(_AUTOCOMMIT_PENDING):
        orm_execute_state.session.connection()  # the statement then runs on this connection


def _refuse_flush(session, flush_context, instances) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise WriteInReadOnlyPage("flush")


def init_app(app) -> None:
    """Install the guard on every ORM session (once per process)."""
    if not event.contains(Session, "do_orm_execute", _guard):
        event.listen(Session, "do_orm_execute", _guard)
        event.listen(Session, "before_flush", _refuse_flush)

"""A request whose open PostgreSQL transaction only read ends it with COMMIT, so psycopg keeps its prepared statements.

psycopg prepares a statement after its fifth use on a connection, and then PostgreSQL neither parses nor (with a
generic plan) plans it again. But psycopg forgets every prepared statement on ROLLBACK, and a request's session
ends its transaction with a rollback: a signed-in page therefore planned each of its statements anew on every
request (the referral lists spent about 7 of their 8.5 ms of PostgreSQL time planning). A transaction that only
read ends the same way with COMMIT or ROLLBACK; this module commits such a transaction at the end of a request
that raised nothing. Anything else keeps the rollback: a request that failed, a session with unflushed changes, a
transaction in which any statement other than a plain read ran (an INSERT, an UPDATE, a SELECT ... FOR UPDATE, a
text statement that is not a SELECT: when in doubt it counts as a write). SQLite is left alone: its statement
cache survives a rollback.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

from portal.fragment_memo import BoundedMemo
from portal.read_only_pages import READ_ONLY

_WROTE = "portal.transaction_wrote"
# A statement that starts as a read but could change something or hold on to it: it counts as a write.
_NOT_A_PLAIN_READ = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|ALTER|DROP|LOCK|COPY|CALL|DO|SET|NOTIFY|"
    r"setval|nextval|set_config|pg_advisory\w*|lo_\w+|dblink\w*)\b",
    re.IGNORECASE,
)
_VERDICTS = BoundedMemo(4096)  # statement text -> reads only; derives from the code's statements alone
logger = logging.getLogger(__name__)


def reads_only(statement: str) -> bool:
    """True for a SELECT (or WITH ... SELECT) that names nothing that writes, locks or sets: a plain read."""
    verdict = _VERDICTS.get(statement)
    if verdict is None:
        words = statement.split(None, 1)
        verdict = bool(words) and words[0].upper() in ("SELECT", "WITH") and not _NOT_A_PLAIN_READ.search(statement)
        _VERDICTS.put(statement, verdict)
    return verdict


def _began(conn) -> None:
    conn.info.pop(_WROTE, None)


def _sent(conn, cursor, statement, parameters, context, executemany) -> None:
    if not reads_only(statement):
        conn.info[_WROTE] = True


def _commit_reads(error: BaseException | None) -> None:
    """At the end of a request: commit the session's transaction if it only read (PostgreSQL)."""
    if error is not None:
        return
    session = current_app.extensions["sqlalchemy"].session()
    if session.info.get(READ_ONLY) or not session.in_transaction():  # autocommit reads: nothing to end
        return
    if session.new or session.dirty or session.deleted:
        return
    expire = session.expire_on_commit
    try:
        connection = session.connection()
        if connection.info.get(_WROTE) or not connection.in_transaction():
            return
        session.expire_on_commit = False  # the request is over: nothing needs reloading
        session.commit()
    except SQLAlchemyError:  # nothing was written: a failed commit loses nothing; the session's rollback follows
        logger.warning("ending a read-only transaction with COMMIT failed", exc_info=True)
    finally:
        session.expire_on_commit = expire


def init_app(app: Flask) -> None:
    """On PostgreSQL, note writes per transaction and commit the ones that only read at the end of a request."""
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    if engine.dialect.name != "postgresql":
        return
    if not event.contains(engine, "before_cursor_execute", _sent):
        event.listen(engine, "begin", _began)
        event.listen(engine, "before_cursor_execute", _sent)
    app.teardown_request(_commit_reads)

"""Counting (or keeping) the SQL statements a block of code sends, and the rows it reads back."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine.cursor import CursorFetchStrategy

from portal.extensions import db


@contextmanager
def count_queries():
    """Count the SQL statements sent while the block runs."""
    statements: list[str] = []

    def _count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)


@contextmanager
def sent_statements():
    """Keep the SQL statements sent while the block runs, each with its parameters: [(statement, parameters)]."""
    sent: list[tuple[str, object]] = []

    def _keep(conn, cursor, statement, parameters, *args):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", _keep)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", _keep)


@contextmanager
def count_rows():
    """Count the statements sent and the rows fetched from their results while the block runs: {'statements', 'rows'}.

    Rows are counted where SQLAlchemy fetches them from the driver's cursor (its cursor fetch strategy), so every
    query, ORM or Core, is seen."""
    counts = {"statements": 0, "rows": 0}
    strategy = CursorFetchStrategy
    originals = {name: getattr(strategy, name) for name in ("fetchone", "fetchmany", "fetchall")}

    def _counting(name):
        def fetch(self, *args, **kwargs):
            fetched = originals[name](self, *args, **kwargs)
            counts["rows"] += (fetched is not None) if name == "fetchone" else len(fetched)
            return fetched

        return fetch

    def _count(*args):
        counts["statements"] += 1

    event.listen(db.engine, "before_cursor_execute", _count)
    for name in originals:
        setattr(strategy, name, _counting(name))
    try:
        yield counts
    finally:
        for name, original in originals.items():
            setattr(strategy, name, original)
        event.remove(db.engine, "before_cursor_execute", _count)

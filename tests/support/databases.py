"""Test databases: a SQLite file, or a PostgreSQL schema when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from portal.config import normalise_database_url
from portal.models.audit import APPEND_ONLY_DDL, DROP_APPEND_ONLY_DDL

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


def backends() -> list[str]:
    """SQLite always; PostgreSQL too when TEST_DATABASE_URL names one."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    return [SQLITE, POSTGRESQL] if url.startswith(("postgres://", "postgresql")) else [SQLITE]


def postgres_url() -> str:
    """The PostgreSQL test database, with the psycopg driver."""
    return normalise_database_url(os.environ["TEST_DATABASE_URL"])


def worker_schema(name: str) -> str:
    """`name` with the pytest-xdist worker id appended (unit_gw0), so parallel workers never share a schema."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"{name}_{worker}" if worker else name


def fresh_database(backend: str, directory: Path, name: str) -> dict:
    """Settings for an empty database called `name`: a new SQLite file or a new PostgreSQL schema (one per worker)."""
    if backend == SQLITE:
        path = directory / f"{name}.db"
        path.unlink(missing_ok=True)
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    name = worker_schema(name)
    url = postgres_url()
    engine = create_engine(url, poolclass=NullPool)  # the connection closes as the block ends
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {
            # synchronous_commit=off: a commit returns before its WAL reaches the disk (3 ms a commit here, under
            # 0.5 ms without). Other connections see it at once as before; only a crash of the PostgreSQL server
            # could lose the last commits, which a test database does not mind.
            "connect_args": {"options": f"-csearch_path={name},public -csynchronous_commit=off"},
        },
    }


def empty_all_tables(db) -> None:
    """Delete every row and restart the id sequences, keeping the schema, so the next test starts clean.

    DELETE rather than TRUNCATE: PostgreSQL's TRUNCATE gives every table and index new files, which cost
    0.5 s a test; a DELETE from the few small tables a test fills costs milliseconds."""
    db.session.remove()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        dialect = connection.dialect.name
        # The audit log refuses DELETE by trigger; tests lift that for the clean-up only.
        for statement in DROP_APPEND_ONLY_DDL[dialect]:
            connection.execute(text(statement))
        for table in tables:
            connection.execute(table.delete())
        for statement in APPEND_ONLY_DDL[dialect]:
            connection.execute(text(statement))
        if dialect == "postgresql":  # as TRUNCATE ... RESTART IDENTITY did; SQLite starts at 1 on an empty table
            connection.execute(text(RESTART_SEQUENCES))


RESTART_SEQUENCES = """
SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)
FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL
"""

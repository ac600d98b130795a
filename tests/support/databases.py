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


def fresh_database(backend: str, directory: Path, name: str) -> dict:
    """Settings for an empty database called `name`: a new SQLite file or a new PostgreSQL schema."""
    if backend == SQLITE:
        path = directory / f"{name}.db"
        path.unlink(missing_ok=True)
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    url = postgres_url()
    engine = create_engine(url, poolclass=NullPool)  # the connection closes as the block ends
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": f"-csearch_path={name},public"},
        },
    }


def empty_all_tables(db) -> None:
    """Delete every row, keeping the schema, so the next test starts clean."""
    db.session.remove()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # The audit log refuses DELETE by trigger; tests lift that for the clean-up only.
            for statement in DROP_APPEND_ONLY_DDL["sqlite"]:
                connection.execute(text(statement))
            for table in tables:
                connection.execute(table.delete())
            for statement in APPEND_ONLY_DDL["sqlite"]:
                connection.execute(text(statement))

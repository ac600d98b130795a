"""Migrations build every table on an empty database, and agree with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db
from portal.models.search import made_by_search_ddl
from tests.conftest import base_config
from tests.support.databases import fresh_database


def _migrated_app(database, tmp_path):
    settings = fresh_database(database["backend"], tmp_path, "migrations")
    return create_app(base_config(tmp_path) | settings)


# SQLite's reflection cannot read an index on an expression (ix_locations_by_name, on lower(name)) and says so.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index:UserWarning")
def test_upgrade_on_an_empty_database_matches_the_models(database, tmp_path):
    app = _migrated_app(database, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            opts = {"compare_type": True, "include_name": lambda name, *_: not made_by_search_ddl(name)}
            context = MigrationContext.configure(connection, opts=opts)
            differences = compare_metadata(context, db.metadata)
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert differences == [], f"models and migrations disagree; run 'flask db migrate': {differences}"
    assert {t.name for t in db.metadata.sorted_tables} <= tables


def test_downgrade_to_base_and_upgrade_again(database, tmp_path):
    app = _migrated_app(database, tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "programmes" in inspect(db.engine).get_table_names()
        db.engine.dispose()

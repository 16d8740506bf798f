"""The schema comes only from migrations, and they match the models.

The suite runs once on SQLite and once on PostgreSQL, so each test here covers
both databases.
"""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from tests_support import fresh_database

from lahti_pool.extensions import db


def _drift(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrated_schema_has_no_drift_from_the_models(ctx):
    assert _drift(db.engine) == []


def test_migrations_run_from_empty_down_and_up_again(ctx, tmp_path):
    """A fresh database: upgrade to head, downgrade to nothing, upgrade again."""
    with fresh_database("migrations_check", tmp_path, revision=None):
        flask_migrate.upgrade()
        assert _drift(db.engine) == []
        assert "supervision_requests" in inspect(db.engine).get_table_names()
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert _drift(db.engine) == []
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pre_questions")).scalar() == 3

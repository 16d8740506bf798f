"""The schema comes only from migrations, and they match the models.

The suite runs once on SQLite and once on PostgreSQL, so each test here covers
both databases.
"""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from lahti_pool.extensions import db


def _drift(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrated_schema_has_no_drift_from_the_models(ctx):
    assert _drift(db.engine) == []


def test_migrations_run_from_empty_down_and_up_again(ctx, tmp_path):
    """A fresh database: upgrade to head, downgrade to nothing, upgrade again."""
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS migrations_check"))
            conn.execute(text("CREATE DATABASE migrations_check"))
        admin.dispose()
        fresh_url = url.set(database="migrations_check").render_as_string(hide_password=False)
    else:
        fresh_url = f"sqlite:///{tmp_path / 'fresh.db'}"

    from lahti_pool import create_app
    from lahti_pool.config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = fresh_url

    fresh = create_app(Config)
    with fresh.app_context():
        flask_migrate.upgrade()
        assert _drift(db.engine) == []
        assert "supervision_requests" in inspect(db.engine).get_table_names()
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert _drift(db.engine) == []
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pre_questions")).scalar() == 3
        db.engine.dispose()

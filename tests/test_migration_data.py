"""Upgrading a database that holds data keeps the data (both databases).

On SQLite most schema changes rebuild a table (copy, drop the old one, rename); with foreign
keys enforced, dropping ``users`` ran ON DELETE CASCADE and took every user's roles and
notifications with it (0010 rebuilds ``users``). The migrations now run with foreign keys off
and check them before committing (``migrations/env.py``).
"""

import flask_migrate
from sqlalchemy import text
from tests_support import fresh_database

from lahti_pool.extensions import db

#: the revision before the first migration that rebuilds ``users`` on SQLite
BEFORE = "0009_matching_jobs"


def test_an_upgrade_keeps_each_users_roles_and_notifications(ctx, tmp_path):
    with fresh_database("migration_data", tmp_path, BEFORE):
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, name, active, job_title, locale, "
                    "session_version, created_at, weekly_digest) VALUES (7, 'opettaja@lahti.fi', "
                    "'Opettaja', true, '', 'fi', 1, CURRENT_TIMESTAMP, false)"
                )
            )
            conn.execute(text("INSERT INTO user_roles (user_id, role) VALUES (7, 'staff')"))
            conn.execute(
                text(
                    "INSERT INTO notifications (user_id, kind, params, subject_type, created_at) "
                    "VALUES (7, 'request_status', '{}', 'request', CURRENT_TIMESTAMP)"
                )
            )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT role FROM user_roles WHERE user_id = 7")).all() == [
                ("staff",)
            ]
            assert conn.execute(text("SELECT count(*) FROM notifications")).scalar() == 1
            assert conn.execute(text("SELECT job_group FROM users WHERE id = 7")).scalar() == (
                "other"
            )
            if db.engine.dialect.name == "sqlite":
                # The app's connections enforce foreign keys again after the upgrade.
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1

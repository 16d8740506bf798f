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


def test_the_hosts_upgrade_turns_each_host_unit_into_a_venue_of_its_sessions(ctx, tmp_path):
    """0016 replaces a session's host unit by a host person and a venue: the units that
    hosted become venues with their name and address, and their sessions meet there."""
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from lahti_pool.accounts.models import User
    from lahti_pool.organisation.models import Division, Unit
    from lahti_pool.requests.models import RequestKind, SchoolYear
    from lahti_pool.sessions.models import SupervisionProcess, SupervisionSession
    from lahti_pool.supervisors.models import FrameworkAgreement, Supervisor

    with fresh_database("migration_hosts", tmp_path):
        unit = Unit(
            code="KIV",
            name="Kivimaan koulu",
            address="Kivimaantie 12, 15100 Lahti",
            area="",
            division=Division(code="PERUS", name_fi="Perusopetus", name_en="Basic education"),
        )
        year = SchoolYear(starts_on=date(2026, 8, 1), ends_on=date(2027, 7, 31), quota=10)
        agreement = FrameworkAgreement(
            name="Puitesopimus",
            procurement_ref="1",
            starts_on=date(2025, 1, 1),
            ends_on=date(2028, 12, 31),
            allocation_rule="ranking",
            vat_percent=Decimal("25.50"),
        )
        user = User(email="s@lahti.fi", name="S", job_title="", session_version=1)
        supervisor = Supervisor(
            user=user,
            agreement=agreement,
            rank=1,
            company_name="Ohjaus Oy",
            business_id="1234567-1",
            price_individual_cents=9000,
            price_group_cents=15000,
            capacity_sessions=10,
            capacity_processes=2,
        )
        process = SupervisionProcess(
            supervisor=supervisor,
            school_year=year,
            kind=RequestKind.GROUP,
            sessions_granted=3,
            price_cents=15000,
            vat_percent=Decimal("25.50"),
            rule="ranking",
        )
        starts = datetime(2027, 2, 3, 10, tzinfo=UTC)
        db.session.add_all(
            [
                unit,
                SupervisionSession(
                    process=process,
                    starts_at=starts,
                    on_date=starts.date(),
                    duration_minutes=90,
                    mode="on_site",
                ),
            ]
        )
        db.session.commit()
        unit_id = unit.id
        db.session.remove()
        flask_migrate.downgrade(revision="0018_quotes")
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE supervision_sessions SET host_unit_id = :u"), {"u": unit_id})
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            venues = conn.execute(text("SELECT id, name, address FROM venues")).all()
            assert [v[1:] for v in venues] == [("Kivimaan koulu", "Kivimaantie 12, 15100 Lahti")]
            assert conn.execute(
                text("SELECT venue_id, host_user_id FROM supervision_sessions")
            ).all() == [(venues[0][0], None)]

"""The security migration (issue 22, 0011_security) on existing rows: addresses normalised,
calendar secrets hashed so that subscriptions keep working, an address clash stops it.
Both databases."""

import hashlib
import unicodedata

import flask_migrate
import pytest
from sqlalchemy import text
from tests_support import fresh_database

from lahti_pool.extensions import db

#: the revision before it (re-chained when branches merge)
BEFORE = "0010_sso"
DECOMPOSED = unicodedata.normalize("NFD", "Pääkäyttäjä@Lahti.fi")


@pytest.fixture
def before_security(ctx, tmp_path):
    """A fresh database migrated to the revision before, as an app whose context is pushed."""
    with fresh_database("migration_security", tmp_path, BEFORE) as fresh:
        yield fresh


def _add_user(conn, email: str, token: str | None = None) -> None:
    conn.execute(
        text(
            "INSERT INTO users (email, name, active, job_title, locale, session_version, "
            "created_at, calendar_token, weekly_digest) VALUES (:email, 'N', true, '', '', 1, "
            "CURRENT_TIMESTAMP, :token, true)"
        ),
        {"email": email, "token": token},
    )


def test_the_security_migration_normalises_addresses_and_hashes_calendar_secrets(before_security):
    with db.engine.begin() as conn:
        _add_user(conn, DECOMPOSED, token="a-calendar-secret")
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        email, token = conn.execute(text("SELECT email, calendar_token FROM users")).one()
    assert email == unicodedata.normalize("NFC", "pääkäyttäjä@lahti.fi")
    assert token == hashlib.sha256(b"a-calendar-secret").hexdigest()


def test_the_security_migration_stops_when_two_addresses_would_become_one(before_security):
    with db.engine.begin() as conn:
        _add_user(conn, DECOMPOSED)
        _add_user(conn, unicodedata.normalize("NFC", "pääkäyttäjä@lahti.fi"))
    with pytest.raises(SystemExit):  # Flask-Migrate logs the RuntimeError and exits
        flask_migrate.upgrade()
    db.session.remove()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == BEFORE
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 2

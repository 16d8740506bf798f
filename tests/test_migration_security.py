"""The security migration (issue 22, 0011_security) on existing rows: addresses normalised,
calendar secrets hashed so that subscriptions keep working, an address clash stops it.
Both databases."""

import hashlib
import unicodedata

import flask_migrate
import pytest
from sqlalchemy import create_engine, text

from lahti_pool.extensions import db

#: the revision before it (re-chained when branches merge)
BEFORE = "0010_sso"
DECOMPOSED = unicodedata.normalize("NFD", "Pääkäyttäjä@Lahti.fi")


@pytest.fixture
def before_security(ctx, tmp_path):
    """A fresh database migrated to the revision before, as an app whose context is pushed."""
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS migration_security"))
            conn.execute(text("CREATE DATABASE migration_security"))
        admin.dispose()
        fresh_url = url.set(database="migration_security").render_as_string(hide_password=False)
    else:
        fresh_url = f"sqlite:///{tmp_path / 'before_security.db'}"

    from lahti_pool import create_app
    from lahti_pool.config import TestConfig

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = fresh_url

    fresh = create_app(Config)
    with fresh.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        yield fresh
        db.session.remove()
        db.engine.dispose()


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

"""Logging in and out, and what ends a session."""

import re

import pytest
from sqlalchemy import select
from tests_support import PASSWORD

from lahti_pool.accounts.models import Role, User
from lahti_pool.config import Config, ConfigError
from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db


def test_staff_member_logs_in_and_lands_on_their_dashboard(client, staff, school_year):
    response = client.post("/login", data={"email": "SANNA@lahti.fi ", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert "Sanna Staff" in client.get("/dashboard").get_data(as_text=True)


def test_wrong_password_and_unknown_address_get_the_same_answer(client, staff):
    wrong = client.post("/login", data={"email": staff.email, "password": "nope"})
    unknown = client.post("/login", data={"email": "nobody@lahti.fi", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert "Wrong e-mail address or password" in wrong.get_data(as_text=True)

    def normalise(page: str, email: str) -> str:
        # Identical but for the address typed in (echoed back) and the signed CSRF tokens.
        return re.sub(r'name="csrf_token"[^>]*>', "", page.replace(email, "X"))

    assert normalise(wrong.get_data(as_text=True), staff.email) == normalise(
        unknown.get_data(as_text=True), "nobody@lahti.fi"
    )
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["login.failed", "login.failed"]


def test_deactivated_user_cannot_log_in(client, staff):
    staff.is_active_account = False
    db.session.commit()
    response = client.post("/login", data={"email": staff.email, "password": PASSWORD})
    assert "Wrong e-mail address or password" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/requests/new", "/requests/new"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example/", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
    ],
)
def test_next_redirects_only_to_local_paths(client, staff, target, expected):
    response = client.post(
        "/login", query_string={"next": target}, data={"email": staff.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == expected


def test_logout_ends_the_session(client, staff, school_year):
    client.login(staff)
    assert client.get("/dashboard").status_code == 200
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302


def test_deactivation_ends_every_session_at_once(client, app, staff, admin, school_year):
    client.login(staff)
    assert client.get("/dashboard").status_code == 200
    admin_client = app.test_client()
    admin_client.login(admin)
    response = admin_client.post(f"/admin/users/{staff.id}/active")
    assert response.status_code == 302
    db.session.refresh(staff)
    assert not staff.is_active_account
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_cannot_deactivate_themselves(client, admin):
    client.login(admin)
    client.post(f"/admin/users/{admin.id}/active")
    db.session.refresh(admin)
    assert admin.is_active_account


def test_admin_creates_user_with_roles(client, admin, unit):
    client.login(admin)
    response = client.post(
        "/admin/users/new",
        data={
            "email": "New.Person@Lahti.fi",
            "name": "New Person",
            "job_title": "Rehtori",
            "unit": unit.id,
            "role_staff": "y",
            "role_reports": "y",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.person@lahti.fi"))
    assert user.roles == {Role.STAFF, Role.REPORTS}
    assert user.password_hash is None  # the user sets it through the invitation's link


def test_admin_cannot_create_a_second_user_with_the_same_address(client, admin, staff):
    client.login(admin)
    response = client.post(
        "/admin/users/new", data={"email": staff.email.upper(), "name": "Copy", "unit": 0}
    )
    assert response.status_code == 200
    assert "Another user already has this e-mail address" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 2


def test_changing_roles_is_audited(client, admin, staff):
    client.login(admin)
    client.post(
        f"/admin/users/{staff.id}",
        data={"email": staff.email, "name": staff.name, "unit": 0, "role_supervisor": "y"},
    )
    db.session.refresh(staff)
    assert staff.roles == {Role.SUPERVISOR}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.roles_changed"))
    assert event.actor_id == admin.id and event.details == {"old": ["staff"], "new": ["supervisor"]}


def test_a_password_posted_to_the_admins_user_form_changes_nothing(
    client, app, admin, staff, school_year
):
    client.login(staff)
    old_hash = staff.password_hash
    admin_client = app.test_client()
    admin_client.login(admin)
    response = admin_client.post(
        f"/admin/users/{staff.id}",
        data={
            "email": staff.email,
            "name": staff.name,
            "unit": 0,
            "role_staff": "y",
            "password": "another long password",
        },
    )
    assert response.status_code == 302
    db.session.refresh(staff)
    assert staff.password_hash == old_hash
    assert client.get("/dashboard").status_code == 200  # the staff member is still logged in


def test_create_admin_command(ctx):
    runner = ctx.test_cli_runner()
    result = runner.invoke(
        args=["pool", "create-admin", "--email", "boss@lahti.fi", "--name", "Boss"],
        input="a very good password\na very good password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@lahti.fi"))
    assert user.roles == {Role.ADMIN}


def test_create_admin_does_not_make_a_supervisor_an_administrator(ctx, supervisor):
    user = supervisor.user
    result = ctx.test_cli_runner().invoke(
        args=["pool", "create-admin", "--email", user.email, "--name", user.name],
        input="a very good password\na very good password\n",
    )
    assert result.exit_code != 0
    assert "cannot be both the pool administrator and a supervisor" in result.output
    db.session.refresh(user)
    assert Role.ADMIN not in user.roles


def test_create_admin_refuses_a_short_password(ctx):
    result = ctx.test_cli_runner().invoke(
        args=["pool", "create-admin", "--email", "b@lahti.fi", "--name", "B"],
        input="short\nshort\n",
    )
    assert result.exit_code != 0
    assert "10 characters" in result.output
    assert db.session.scalar(select(User)) is None


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.setattr(Config, "ENV_NAME", "production")
    monkeypatch.setattr(Config, "SECRET_KEY", "dev-only-not-secret")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Config().validate()
    monkeypatch.setattr(Config, "SECRET_KEY", "x" * 64)
    config = Config()
    config.validate()
    assert config.SESSION_COOKIE_SECURE is True


def test_backup_command_copies_the_sqlite_database(ctx, staff, tmp_path):
    import sqlite3

    if db.engine.dialect.name != "sqlite":
        result = ctx.test_cli_runner().invoke(args=["pool", "backup", str(tmp_path / "x.db")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    target = tmp_path / "backup.db"
    result = ctx.test_cli_runner().invoke(args=["pool", "backup", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        emails = [row[0] for row in copy.execute("SELECT email FROM users")]
    assert emails == [staff.email]


def test_the_navigation_counts_unread_notifications_of_the_logged_in_user_only(
    client, staff, other_staff, school_year
):
    """The count comes with the statement that loads the user on each request."""
    from lahti_pool.core.notifications import NotificationKind, notify

    for _ in range(2):
        notify(staff.id, NotificationKind.REQUEST_STATUS)
    notify(other_staff.id, NotificationKind.REQUEST_STATUS)
    db.session.commit()
    client.login(staff)
    badge = re.compile(r'badge bg-danger">(\d+)<span class="visually-hidden"> unread')
    assert badge.findall(client.get("/dashboard").get_data(as_text=True)) == ["2"]
    client.post("/notifications/read")
    assert badge.findall(client.get("/dashboard").get_data(as_text=True)) == []

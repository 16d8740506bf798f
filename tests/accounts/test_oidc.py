"""Signing in with the city account through a real OpenID provider process (oidc_provider.py)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from oidc_support import CLIENT_ID, sign_in
from sqlalchemy import func, select
from tests_support import PASSWORD

from lahti_pool.accounts.identities import ExternalIdentity, SignInPolicy
from lahti_pool.accounts.models import Role, User
from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db
from lahti_pool.supervisors.models import SupervisorKind

pytestmark = pytest.mark.slow


def identities() -> list[tuple[int, str]]:
    return list(db.session.execute(select(ExternalIdentity.user_id, ExternalIdentity.subject)))


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def logged_in_as(client) -> int | None:
    with client.session_transaction() as session:
        key = session.get("_user_id")
    return int(key.split(":")[0]) if key else None


def test_first_sign_in_links_by_staff_number_and_later_by_subject(sso, client, make_user):
    person = make_user(name="Maija Meikäläinen", staff_number="100234")
    sso.set_user("oid-maija", employeeid="100234", name="Someone Else", email="x@lahti.fi")

    response = sign_in(client, sso, "oid-maija")

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert logged_in_as(client) == person.id
    assert identities() == [(person.id, "oid-maija")]
    # the display name at the provider does not rename or pick the account
    assert db.session.get(User, person.id).name == "Maija Meikäläinen"

    # The staff number changes at the provider: the subject alone finds the account now.
    client.post("/logout")
    sso.set_user("oid-maija", employeeid="999999")
    assert sign_in(client, sso, "oid-maija").status_code == 302
    assert logged_in_as(client) == person.id


def test_the_authorization_request_uses_pkce_state_and_nonce(sso, client):
    response = client.get("/login/sso")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["response_type"] == ["code"]


def test_link_by_verified_address_only(sso, client, make_user, monkeypatch, ctx):
    monkeypatch.setitem(ctx.config, "OIDC_LINK_BY", "email")
    person = make_user(email="liisa@lahti.fi")
    sso.set_user("oid-liisa", email="Liisa@lahti.fi", email_verified=False)

    refused = sign_in(client, sso, "oid-liisa")
    assert refused.status_code == 403
    assert "not linked" in refused.get_data(as_text=True)
    assert identities() == [] and logged_in_as(client) is None

    sso.set_user("oid-liisa", email="Liisa@lahti.fi", email_verified=True)
    assert sign_in(client, sso, "oid-liisa").status_code == 302
    assert logged_in_as(client) == person.id


def test_unknown_person_is_refused_and_nothing_is_created(sso, client, make_user):
    make_user(staff_number="1")
    before = user_count()
    sso.set_user("oid-stranger", employeeid="555", email="stranger@lahti.fi", email_verified=True)

    response = sign_in(client, sso, "oid-stranger")

    assert response.status_code == 403
    assert "is not linked to an account in the pool" in response.get_data(as_text=True)
    assert user_count() == before and identities() == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login.sso_refused"))
    assert event.details["reason"] == "not_linked"
    assert "oid-stranger" not in str(event.details)


@pytest.mark.parametrize(
    ("fault", "status", "text"),
    [
        ("audience", 403, "meant for another application"),
        ("issuer", 403, "came from another provider"),
        ("expired", 400, "has expired"),
        ("signature", 400, "could not be verified"),
        ("nonce", 400, "could not be verified"),
    ],
)
def test_a_spoilt_id_token_is_refused_with_nothing_created(
    sso, client, make_user, fault, status, text
):
    make_user(staff_number="100234")
    sso.set_user("oid-maija", employeeid="100234")
    sso.fault(token=fault)

    response = sign_in(client, sso, "oid-maija")

    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert "Sign-in with the city account failed" in page and text in page
    assert identities() == [] and logged_in_as(client) is None
    reasons = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "login.sso_refused")
    ).all()
    assert [r["reason"] for r in reasons] == [{"expired": "expired"}.get(fault, fault)]


def test_a_replayed_state_is_refused(sso, client, make_user):
    make_user(staff_number="100234")
    sso.set_user("oid-maija", employeeid="100234")
    start = client.get("/login/sso")
    back = urlsplit(sso.approve(start.headers["Location"], "oid-maija"))
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    client.post("/logout")

    replay = client.get(f"{back.path}?{back.query}")

    assert replay.status_code == 400
    assert "expired or was used already" in replay.get_data(as_text=True)
    assert logged_in_as(client) is None


def test_a_tenant_not_allowed_is_refused(sso, client, make_user, monkeypatch, ctx):
    monkeypatch.setitem(ctx.config, "OIDC_ALLOWED_TENANTS", "tenant-lahti")
    make_user(staff_number="100234")
    sso.set_user("oid-maija", employeeid="100234", tid="tenant-elsewhere")

    response = sign_in(client, sso, "oid-maija")

    assert response.status_code == 403
    assert "accounts cannot sign in to the pool" in response.get_data(as_text=True)
    assert identities() == []

    sso.set_user("oid-maija", employeeid="100234", tid="tenant-lahti")
    assert sign_in(client, sso, "oid-maija").status_code == 302


def test_an_account_linked_to_another_subject_is_refused(sso, client, make_user):
    person = make_user(staff_number="100234")
    db.session.add(ExternalIdentity(user_id=person.id, issuer=sso.issuer, subject="oid-first"))
    db.session.commit()
    sso.set_user("oid-second", employeeid="100234")

    response = sign_in(client, sso, "oid-second")

    assert response.status_code == 403
    assert "already linked to another city account" in response.get_data(as_text=True)
    assert identities() == [(person.id, "oid-first")]
    assert logged_in_as(client) is None


def test_a_deactivated_account_is_refused(sso, client, make_user):
    make_user(staff_number="100234", is_active_account=False)
    sso.set_user("oid-maija", employeeid="100234")
    response = sign_in(client, sso, "oid-maija")
    assert response.status_code == 403
    assert "deactivated" in response.get_data(as_text=True)
    assert identities() == []


def test_roles_follow_the_group_mapping(sso, client, make_user, monkeypatch, ctx):
    monkeypatch.setitem(ctx.config, "OIDC_GROUP_ROLES", "grp-admins=admin,grp-dev=reports")
    person = make_user(staff_number="100234", roles={Role.STAFF, Role.REPORTS})
    sso.set_user("oid-maija", employeeid="100234", groups=["grp-admins", "grp-other"])

    assert sign_in(client, sso, "oid-maija").headers["Location"] == "/admin/requests"
    assert db.session.get(User, person.id).roles == {Role.STAFF, Role.ADMIN}


def test_provider_down_shows_a_clear_page_and_local_login_still_works(
    sso, client, make_user, monkeypatch, ctx
):
    from oidc_support import free_port

    monkeypatch.setitem(ctx.config, "OIDC_ISSUER", f"http://127.0.0.1:{free_port()}")
    person = make_user(email="local@lahti.fi")

    response = client.get("/login/sso")

    assert response.status_code == 503
    assert "does not answer" in response.get_data(as_text=True)
    assert "log in with a password of the pool" in response.get_data(as_text=True)
    login = client.post("/login", data={"email": "local@lahti.fi", "password": PASSWORD})
    assert login.status_code == 302 and logged_in_as(client) == person.id


def test_provider_too_slow_at_the_token_exchange_shows_a_clear_page(sso, client, make_user):
    make_user(staff_number="100234")
    sso.set_user("oid-maija", employeeid="100234")
    start = client.get("/login/sso")
    back = urlsplit(sso.approve(start.headers["Location"], "oid-maija"))
    sso.fault(delay=3)  # the app waits 2 s (OIDC_TIMEOUT_SECONDS)

    response = client.get(f"{back.path}?{back.query}")

    assert response.status_code == 503
    assert "does not answer" in response.get_data(as_text=True)
    assert identities() == [] and logged_in_as(client) is None


def test_local_passwords_off_leaves_only_external_supervisors(
    sso, client, make_user, make_supervisor
):
    staff = make_user(email="teacher@lahti.fi")
    external = make_supervisor()
    internal = make_supervisor(kind=SupervisorKind.INTERNAL)
    db.session.add(SignInPolicy(id=1, local_passwords=False))
    db.session.commit()

    refused = client.post("/login", data={"email": "teacher@lahti.fi", "password": PASSWORD})
    assert refused.status_code == 200 and logged_in_as(client) is None
    assert "external supervisors only" in refused.get_data(as_text=True)
    client.post("/login", data={"email": internal.user.email, "password": PASSWORD})
    assert logged_in_as(client) is None  # a city employee: the city account
    client.post("/login", data={"email": external.user.email, "password": PASSWORD})
    assert logged_in_as(client) == external.user_id
    assert staff.id != external.user_id


def test_the_administrator_switches_local_passwords_off(sso, client, admin):
    client.login(admin)
    page = client.post("/admin/sign-in", data={})
    assert page.status_code == 302, page.get_data(as_text=True)
    assert page.headers["Location"] == "/admin/sign-in"
    assert db.session.get(SignInPolicy, 1).local_passwords is False
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "sign_in.policy_changed")
    )
    assert event.actor_id == admin.id


def test_passwords_stay_on_without_a_provider(client, admin):
    client.login(admin)
    page = client.post("/admin/sign-in", data={})
    assert page.status_code == 400
    assert "would lock everybody" in page.get_data(as_text=True)
    assert db.session.get(SignInPolicy, 1) is None


def test_sign_out_ends_the_session_and_offers_the_provider_sign_out(sso, client, make_user):
    make_user(staff_number="100234")
    sso.set_user("oid-maija", employeeid="100234")
    sign_in(client, sso, "oid-maija")

    out = client.post("/logout")

    assert out.headers["Location"] == "/logged-out"
    assert logged_in_as(client) is None
    page = client.get("/logged-out").get_data(as_text=True)
    assert f"{sso.issuer}/oauth2/end_session?" in page
    assert "id_token_hint=" in page
    assert client.get("/dashboard").status_code == 302  # to the login page


def test_without_a_provider_the_login_page_has_no_sso_button(client):
    page = client.get("/login").get_data(as_text=True)
    assert "city account" not in page
    assert client.get("/login/sso").status_code == 404


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"OIDC_CLIENT_ID": ""}, "OIDC_CLIENT_ID"),
        ({"OIDC_LINK_BY": "name"}, "OIDC_LINK_BY"),
        ({"OIDC_GROUP_ROLES": "grp=supervisor"}, "cannot grant the role"),
    ],
)
def test_a_configuration_that_cannot_work_refuses_to_start(settings, message):
    from lahti_pool import create_app
    from lahti_pool.config import ConfigError, TestConfig

    class Broken(TestConfig):
        OIDC_ISSUER = "https://login.example/tenant/v2.0"
        OIDC_CLIENT_ID = "client"

    for key, value in settings.items():
        setattr(Broken, key, value)
    with pytest.raises(ConfigError, match=message):
        create_app(Broken)


def test_with_passwords_off_staff_get_no_password_link(
    ctx, client, make_user, make_supervisor, monkeypatch
):
    from lahti_pool.core.outbox import MailMessage

    # The setting counts only while a provider is configured (no request reaches it here).
    monkeypatch.setitem(ctx.config, "OIDC_ISSUER", "http://127.0.0.1:9")
    make_user(email="teacher@lahti.fi")
    external = make_supervisor()
    db.session.add(SignInPolicy(id=1, local_passwords=False))
    db.session.commit()

    for email in ("teacher@lahti.fi", external.user.email):
        response = client.post("/password/forgot", data={"email": email})
        assert response.status_code == 302  # the same answer either way

    recipients = db.session.scalars(select(MailMessage.to_address)).all()
    assert recipients == [external.user.email]


def test_the_administrator_sees_and_removes_a_link(sso, client, admin, make_user):
    person = make_user(staff_number="100234", job_title="Rehtori")
    person.job_group = "principal"
    db.session.commit()
    sso.set_user("oid-maija", employeeid="100234")
    sign_in(client, sso, "oid-maija")
    client.post("/logout")
    client.login(admin)

    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "100234" in page and "Principal" in page and "Linked on" in page
    response = client.post(f"/admin/users/{person.id}/city-account/unlink")

    assert response.headers["Location"] == f"/admin/users/{person.id}"
    assert identities() == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.sso_unlinked"))
    assert event.actor_id == admin.id and event.object_id == person.id


def test_without_a_provider_passwords_stay_on_whatever_the_stored_setting(client, make_user):
    """Nobody is locked out when single sign-on is taken out of the configuration."""
    from lahti_pool.core.outbox import MailMessage

    make_user(email="teacher@lahti.fi")
    db.session.add(SignInPolicy(id=1, local_passwords=False))
    db.session.commit()
    client.post("/password/forgot", data={"email": "teacher@lahti.fi"})
    assert db.session.scalars(select(MailMessage.to_address)).all() == ["teacher@lahti.fi"]

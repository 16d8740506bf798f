"""Security headers on every page, and error pages that never show a traceback."""

import pytest

from lahti_pool import create_app
from lahti_pool.config import TestConfig as BaseTestConfig


def test_every_page_sends_the_security_headers(client, staff, school_year):
    client.login(staff)
    response = client.get("/dashboard")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp  # no plugins, not even from our own origin
    assert response.headers["X-XSS-Protection"] == "0"  # the legacy auditor off (OWASP)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"  # personal data behind login
    assert "Strict-Transport-Security" not in response.headers  # only in production (TLS)


def test_production_sends_hsts_and_secure_cookies(app, database_url):
    class Production(BaseTestConfig):
        ENV_NAME = "production"
        SQLALCHEMY_DATABASE_URI = database_url
        SESSION_COOKIE_SECURE = True
        SECRET_KEY = "p" * 48

    prod = create_app(Production)
    response = prod.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_unexpected_error_shows_the_generic_page_without_a_traceback(database_url):
    class NotTesting(BaseTestConfig):
        TESTING = False
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(NotTesting)

    @app.get("/boom")
    def boom():
        raise RuntimeError("SECRET-INTERNAL-DETAIL")

    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "SECRET-INTERNAL-DETAIL" not in page and "Traceback" not in page


@pytest.mark.parametrize("path", ["/no/such/page", "/requests/abc"])
def test_not_found_uses_the_apps_own_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_refusals_are_logged(app, client, staff, other_staff, school_year):
    from sqlalchemy import select

    from lahti_pool.core.audit import AuditEvent
    from lahti_pool.extensions import db

    client.login(staff)
    client.get("/admin/users/")  # not theirs: 403
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client.post("/logout", data={"csrf_token": "forged"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    replayed = app.test_client()
    replayed.login(other_staff)
    other_staff.session_version += 1  # as a logout elsewhere or a password change does
    db.session.commit()
    replayed.get("/dashboard")
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"access.denied", "csrf.refused", "session.refused"} <= actions


def test_behind_a_proxy_the_persons_address_is_used(database_url):
    from flask import request

    class BehindProxy(BaseTestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        PROXY_FIX_HOPS = 1

    app = create_app(BehindProxy)

    @app.get("/whoami")
    def whoami():
        return request.remote_addr

    response = app.test_client().get("/whoami", headers={"X-Forwarded-For": "10.20.30.40"})
    assert response.get_data(as_text=True) == "10.20.30.40"


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/admin/audit?actor=a%00b", None),  # PostgreSQL: a server error before
        ("get", "/calendar/abc%00def.ics", None),
        ("post", "/admin/settings/pre-questions", {"text_1": "a\x00b"}),
    ],
)
def test_a_nul_character_in_the_input_is_refused(client, admin, method, path, data):
    client.login(admin)
    response = getattr(client, method)(path, data=data)
    assert response.status_code == 400
    assert "The request was not understood" in response.get_data(as_text=True)


def test_an_id_beyond_the_database_integer_is_not_found(client, admin):
    client.login(admin)
    for path in ("/requests/99999999999", "/admin/users/2147483648", "/statements/99999999999"):
        assert client.get(path).status_code == 404

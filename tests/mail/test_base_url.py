"""Links in e-mails and the calendar address point where the app is served (issue 16, 6)."""

import re

import pytest
from sqlalchemy import select

from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db

SERVED = "http://127.0.0.1:5301"


@pytest.fixture
def no_base_url(app):
    """``make run PORT=5301`` with no BASE_URL in the environment."""
    saved = app.config["BASE_URL"], app.config["ENV_NAME"]
    app.config["BASE_URL"] = ""
    yield app
    app.config["BASE_URL"], app.config["ENV_NAME"] = saved


def test_the_calendar_address_uses_the_served_port(no_base_url, client, staff):
    with client.session_transaction(base_url=SERVED) as session:  # the cookie of that host
        session["_user_id"] = staff.get_id()
        session["_fresh"] = True
    page = client.post("/calendar/token", base_url=SERVED, follow_redirects=True).text
    assert re.search(r"http://127\.0\.0\.1:5301/calendar/[A-Za-z0-9_\-]+\.ics", page), page
    assert ":5000/" not in page


def test_a_password_link_queued_in_a_request_uses_the_served_port(no_base_url, client, staff):
    client.post("/password/forgot", data={"email": staff.email}, base_url=SERVED)
    mail = db.session.scalars(select(MailMessage)).one()
    assert f"{SERVED}/password/link/" in mail.body_text
    assert ":5000/" not in mail.body_text + mail.body_html


def test_a_configured_base_url_wins(no_base_url, client, staff):
    no_base_url.config["BASE_URL"] = "https://tyonohjaus.lahti.fi"
    client.post("/password/forgot", data={"email": staff.email}, base_url=SERVED)
    mail = db.session.scalars(select(MailMessage)).one()
    assert "https://tyonohjaus.lahti.fi/password/link/" in mail.body_text


def test_production_never_builds_links_from_the_host_header(no_base_url, client, staff):
    no_base_url.config["ENV_NAME"] = "production"
    client.post("/password/forgot", data={"email": staff.email}, base_url="http://evil.example")
    mail = db.session.scalars(select(MailMessage)).one()
    assert "evil.example" not in mail.body_text + mail.body_html

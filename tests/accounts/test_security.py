"""Passwords, re-authentication, throttling, timeouts, own data, retention."""

import json
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from tests_support import PASSWORD

from lahti_pool.accounts.passwords import password_problem, verify_password
from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db
from lahti_pool.requests.models import PreQuestionAnswer, SchoolYear
from lahti_pool.requests.retention import purge_answers
from lahti_pool.requests.services import RequestInput, submit_individual_request


@pytest.mark.parametrize(
    "password", ["short", "password123", "salasana1234", "qwertyuiop", "Sanna Staff 2026"]
)
def test_weak_or_common_passwords_are_refused(password):
    assert password_problem(password, ["sanna@lahti.fi", "Sanna Staff 2026"]) is not None


@pytest.mark.parametrize("password", ["correct horse battery staple", "kuusi kirahvia kävelee"])
def test_long_passphrases_are_accepted_without_composition_rules(password):
    assert password_problem(password) is None


def test_password_change_needs_the_current_password_and_ends_other_sessions(
    client, app, staff, school_year
):
    other_device = app.test_client()
    other_device.login(staff)
    client.login(staff)
    new = "kolme iloista siilia laulaa"
    wrong = client.post(
        "/account/password",
        data={"current_password": "nope", "new_password": new, "confirm": new},
    )
    assert wrong.status_code == 400
    assert "current password is not right" in wrong.get_data(as_text=True)
    ok = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert ok.status_code == 302
    db.session.refresh(staff)
    assert verify_password(staff.password_hash, new)
    assert client.get("/dashboard").status_code == 200  # this session goes on
    assert other_device.get("/dashboard").status_code == 302  # the others end


def test_email_change_needs_the_current_password(client, staff, other_staff):
    client.login(staff)
    taken = client.post(
        "/account/email", data={"current_password": PASSWORD, "email": other_staff.email}
    )
    assert "Another user already has" in taken.get_data(as_text=True)
    client.post("/account/email", data={"current_password": "nope", "email": "new@lahti.fi"})
    db.session.refresh(staff)
    assert staff.email == "sanna@lahti.fi"
    client.post("/account/email", data={"current_password": PASSWORD, "email": "New@Lahti.fi"})
    db.session.refresh(staff)
    assert staff.email == "new@lahti.fi"


@pytest.fixture
def throttled(app):
    from lahti_pool.config import Config
    from lahti_pool.extensions import limiter

    saved = {k: app.config[k] for k in ("LOGIN_LIMIT_PER_ADDRESS", "LOGIN_LIMIT_PER_ACCOUNT")}
    app.config.update({k: getattr(Config, k) for k in saved})  # the production limits
    limiter.reset()
    yield
    limiter.reset()
    app.config.update(saved)


@pytest.mark.parametrize("email", ["sanna@lahti.fi", "nobody@lahti.fi"])
def test_repeated_failed_logins_are_throttled_alike_for_known_and_unknown(
    client, staff, throttled, email
):
    answers = [
        client.post("/login", data={"email": email, "password": "wrong"}).status_code
        for _ in range(6)
    ]
    assert answers == [200] * 5 + [429]
    throttled_events = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "throttled")
    )
    assert throttled_events == 1


def test_idle_session_times_out(client, app, staff, school_year):
    client.login(staff)
    assert client.get("/dashboard").status_code == 200
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - app.config["IDLE_TIMEOUT_MINUTES"] * 60 - 5
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_activity_keeps_the_session_and_renews_the_cookie_at_most_twice_a_minute(
    client, app, staff, school_year
):
    client.login(staff)
    first = client.get("/dashboard")
    assert "Set-Cookie" in first.headers  # the first view records when it was seen
    again = client.get("/dashboard")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 45  # active 45 s ago: renewed, not ended
    renewed = client.get("/dashboard")
    assert renewed.status_code == 200 and "Set-Cookie" in renewed.headers


def test_absolute_session_timeout_applies_even_when_active(client, app, staff, school_year):
    client.login(staff)
    with client.session_transaction() as session:
        session["login_at"] = int(time.time()) - app.config["ABSOLUTE_TIMEOUT_HOURS"] * 3600 - 5
    assert client.get("/dashboard").status_code == 302


def test_cookies_are_secure_in_production():
    from lahti_pool.config import Config

    class Production(Config):
        ENV_NAME = "production"
        SECRET_KEY = "x" * 40

    config = Production()
    assert config.SESSION_COOKIE_SECURE and config.SESSION_COOKIE_HTTPONLY
    assert config.SESSION_COOKIE_SAMESITE == "Lax"


def test_person_downloads_their_own_data(client, staff, other_staff, school_year, today):
    for person, answer in ((staff, "MY-OWN-ANSWER"), (other_staff, "SOMEONE-ELSES")):
        submit_individual_request(
            person,
            RequestInput(
                school_year_id=school_year.id,
                sessions=2,
                modes=("video",),
                language="fi",
                wanted_from=today,
                answers={1: answer},
            ),
            today,
        )
    db.session.commit()
    client.login(staff)
    data = json.loads(client.get("/account/data.json").get_data(as_text=True))
    assert data["profile"]["email"] == staff.email
    assert data["requests"][0]["pre_question_answers"][0]["answer"] == "MY-OWN-ANSWER"
    assert "SOMEONE-ELSES" not in json.dumps(data)
    text = client.get("/account/data.csv").get_data(as_text=True)
    assert "MY-OWN-ANSWER" in text and "SOMEONE-ELSES" not in text


def test_answers_are_deleted_after_their_school_year_and_the_job_reports_counts(
    staff, school_year, today
):
    old_year = SchoolYear(
        starts_on=school_year.starts_on.replace(year=school_year.starts_on.year - 1),
        ends_on=school_year.starts_on - timedelta(days=1),
        quota=10,
    )
    db.session.add(old_year)
    db.session.commit()
    for year in (old_year, school_year):
        sup_request = submit_individual_request(
            staff,
            RequestInput(
                school_year_id=school_year.id,
                sessions=1,
                modes=("video",),
                language="fi",
                wanted_from=today,
                answers={1: "PURGE-CANARY", 2: "b"},
            ),
            today,
        )
        sup_request.school_year_id = year.id
    db.session.commit()
    report = purge_answers(today)
    db.session.commit()
    label = f"{old_year.starts_on.year}–{old_year.ends_on.year}"
    assert report == {label: 2}
    assert db.session.scalar(select(func.count()).select_from(PreQuestionAnswer)) == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answers.purged"))
    assert "PURGE-CANARY" not in json.dumps(event.details)
    assert purge_answers(today) == {}
    assert date.today() >= old_year.ends_on


def test_privacy_and_accessibility_pages_are_public(client):
    assert "Privacy notice" in client.get("/privacy").get_data(as_text=True)
    page = client.get("/accessibility").get_data(as_text=True)
    assert "mailto:saavutettavuus@lahti.fi" in page


def test_admin_searches_the_log_of_use(client, admin, staff):
    client.post("/login", data={"email": staff.email, "password": "wrong"})
    client.login(admin)
    page = client.get("/admin/audit", query_string={"action": "login."}).get_data(as_text=True)
    assert "<td>Failed sign-in</td>" in page and staff.email in page


def test_searches_take_underscore_and_percent_literally(client, admin, staff, make_user):
    """A "_" or "%" typed into a search is that character, not an SQL wildcard."""
    client.post("/login", data={"email": staff.email, "password": "wrong"})
    underscored = make_user(name="Tiina 100% Tuntiopettaja", email="tiina_t@lahti.fi")
    client.login(admin)

    def audit(**args):
        return client.get("/admin/audit", query_string=args).get_data(as_text=True)

    assert "<td>Failed sign-in</td>" in audit(action="login.")
    assert "<td>Failed sign-in</td>" not in audit(action="login_")  # "_" would match "."
    assert staff.email in audit(actor="sanna")
    assert staff.email not in audit(actor="%")  # "%" would match everyone

    def users(q):
        return client.get("/admin/users/", query_string={"q": q}).get_data(as_text=True)

    assert underscored.email in users("_") and staff.email not in users("_")
    assert underscored.email in users("100%") and staff.email not in users("%")

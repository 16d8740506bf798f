"""The administrator never sets a password: people set their own through one-time links."""

import logging
import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select
from tests_support import PASSWORD

from lahti_pool.accounts.models import Role, User
from lahti_pool.accounts.password_links import LinkPurpose, make_token
from lahti_pool.accounts.passwords import verify_password
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.outbox import MailMessage, MailStatus
from lahti_pool.extensions import db

NEW_PASSWORD = "seven purple giraffes juggle quietly"
LINK = re.compile(r"http://[^\s\"<]+/password/link/([A-Za-z0-9_.\-]+)")


def _mails(kind=None) -> list[MailMessage]:
    query = select(MailMessage).order_by(MailMessage.id)
    if kind:
        query = query.where(MailMessage.kind == kind)
    return list(db.session.scalars(query))


def _token(message: MailMessage) -> str:
    """The token of the link in the mail; the same link in the text and the HTML part."""
    text_token = LINK.search(message.body_text).group(1)
    assert LINK.search(message.body_html).group(1) == text_token
    return text_token


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _made_ago(monkeypatch, seconds: int, user: User, purpose: LinkPurpose) -> str:
    """A token as if it had been made ``seconds`` ago."""
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - seconds)
        return make_token(user, purpose)


def _set_password(client, token: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    opened = client.get(f"/password/link/{token}")
    if opened.status_code != 302:
        return opened
    assert opened.headers["Location"] == "/password/new"
    form = client.get("/password/new").get_data(as_text=True)
    assert token not in form
    return client.post(
        "/password/new",
        data={
            "new_password": password,
            "confirm": password if confirm is None else confirm,
            "account": _account(form),
        },
    )


def _account(form: str) -> str:
    """The hidden field naming whose link the form was shown for."""
    return re.search(r'name="account" type="hidden" value="(\d+)"', form).group(1)


@pytest.fixture
def app_logs(caplog, monkeypatch):
    """The app's log lines (the migrations' fileConfig disabled the existing loggers)."""
    for name in ("lahti_pool.core.mailer", "lahti_pool.web", "lahti_pool.core.jobs"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    caplog.set_level(logging.DEBUG)
    return caplog


# --- The administrator's user form -------------------------------------------------------


def test_the_admins_user_form_has_no_password_field(client, admin, staff):
    client.login(admin)
    for url in ("/admin/users/new", f"/admin/users/{staff.id}"):
        page = client.get(url).get_data(as_text=True)
        assert 'type="password"' not in page and 'name="password"' not in page, url
    assert "Send a password link" in client.get(f"/admin/users/{staff.id}").get_data(as_text=True)


def test_creating_a_user_queues_an_invitation_with_a_link_and_ignores_a_posted_password(
    client, admin, unit, app_logs
):
    client.login(admin)
    response = client.post(
        "/admin/users/new",
        data={
            "email": "Uusi.Opettaja@Lahti.fi",
            "name": "Uusi Opettaja",
            "unit": unit.id,
            "role_staff": "y",
            "password": "the admin would like to know this",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "uusi.opettaja@lahti.fi"))
    assert user.password_hash is None
    [mail] = _mails()
    assert (mail.kind, mail.to_user_id, mail.to_address) == (
        "password_invitation",
        user.id,
        "uusi.opettaja@lahti.fi",
    )
    token = _token(mail)
    assert f"http://127.0.0.1:5000/password/link/{token}" in mail.body_text
    [sent] = _events("user.password_link_sent")
    assert sent.actor_id == admin.id and sent.object_id == user.id
    assert sent.details == {"purpose": "invitation"}
    assert all(token not in str(e.details) for e in db.session.scalars(select(AuditEvent)))
    assert token not in app_logs.text


def test_the_admins_outbox_never_shows_the_link(client, admin, staff):
    client.login(admin)
    assert client.post(f"/admin/users/{staff.id}/password-link").status_code == 302
    [mail] = _mails("password_reset")
    token = _token(mail)
    mail.status, mail.attempts, mail.last_error = MailStatus.DEAD, 3, "550 5.1.1 No such user"
    db.session.commit()
    page = client.get("/admin/mail").get_data(as_text=True)
    assert staff.email in page and "Password reset link" in page  # the message is listed
    assert token not in page and "/password/link/" not in page


def test_admin_sends_a_password_link_audited_without_the_token(client, admin, staff):
    client.login(admin)
    response = client.post(f"/admin/users/{staff.id}/password-link")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{staff.id}"
    [mail] = _mails()
    assert mail.kind == "password_reset" and mail.to_address == staff.email
    token = _token(mail)
    [event] = _events("user.password_link_sent")
    assert (event.actor_id, event.object_id, event.details) == (
        admin.id,
        staff.id,
        {"purpose": "reset"},
    )
    assert token not in str(event.details)
    db.session.refresh(staff)
    assert verify_password(staff.password_hash, PASSWORD)  # nothing changes until it is used


def test_no_link_to_a_deactivated_account(client, admin, staff):
    staff.is_active_account = False
    db.session.commit()
    client.login(admin)
    response = client.post(f"/admin/users/{staff.id}/password-link", follow_redirects=True)
    assert "The account is deactivated. Reactivate it first." in response.get_data(as_text=True)
    assert _mails() == []


# --- Using the link ---------------------------------------------------------------------------


def test_the_link_sets_the_password_once_and_ends_other_sessions(client, app, staff, school_year):
    elsewhere = app.test_client()
    elsewhere.login(staff)
    assert elsewhere.get("/dashboard").status_code == 200
    token = make_token(staff, LinkPurpose.RESET)

    response = _set_password(client, token)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    db.session.refresh(staff)
    assert verify_password(staff.password_hash, NEW_PASSWORD)
    assert elsewhere.get("/dashboard").status_code == 302  # the other session has ended
    [event] = _events("user.password_set_by_link")
    assert event.actor_id == staff.id and event.details == {"purpose": "reset"}
    assert token not in str(event.details)
    login = client.post("/login", data={"email": staff.email, "password": NEW_PASSWORD})
    assert login.status_code == 302

    again = app.test_client().get(f"/password/link/{token}")
    assert again.status_code == 410
    page = again.get_data(as_text=True)
    assert "expired or has been used" in page and "/password/forgot" in page


def test_the_new_password_follows_the_rules_and_is_asked_twice(client, staff):
    token = make_token(staff, LinkPurpose.RESET)
    short = _set_password(client, token, "short")
    assert short.status_code == 400
    assert "at least 10 characters" in short.get_data(as_text=True)
    account = str(staff.id)
    common = client.post(
        "/password/new",
        data={"new_password": "password1234", "confirm": "password1234", "account": account},
    )
    assert common.status_code == 400 and "too common" in common.get_data(as_text=True)
    differ = client.post(
        "/password/new",
        data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x", "account": account},
    )
    assert differ.status_code == 400 and "The passwords differ" in differ.get_data(as_text=True)
    db.session.refresh(staff)
    assert verify_password(staff.password_hash, PASSWORD)
    page = client.get("/password/new").get_data(as_text=True)  # the link still works
    assert 'autocomplete="new-password"' in page and "<label" in page


def test_an_invited_user_sets_a_first_password_and_logs_in(client, admin, unit):
    admin_client = client.application.test_client()
    admin_client.login(admin)
    admin_client.post(
        "/admin/users/new",
        data={"email": "new@lahti.fi", "name": "Niina New", "unit": unit.id, "role_staff": "y"},
    )
    token = _token(_mails()[0])
    assert _set_password(client, token).status_code == 302
    login = client.post("/login", data={"email": "new@lahti.fi", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_a_reset_link_expires_after_24_hours(client, staff, monkeypatch):
    token = _made_ago(monkeypatch, 25 * 3600, staff, LinkPurpose.RESET)
    response = client.get(f"/password/link/{token}")
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    fresh = _made_ago(monkeypatch, 23 * 3600, staff, LinkPurpose.RESET)
    assert client.get(f"/password/link/{fresh}").status_code == 302


def test_an_invitation_works_for_seven_days(client, staff, monkeypatch):
    six_days = _made_ago(monkeypatch, 6 * 86400, staff, LinkPurpose.INVITATION)
    assert client.get(f"/password/link/{six_days}").status_code == 302
    eight_days = _made_ago(monkeypatch, 8 * 86400, staff, LinkPurpose.INVITATION)
    assert client.get(f"/password/link/{eight_days}").status_code == 410


def test_a_link_expiring_while_the_form_is_open_is_refused(client, staff, monkeypatch):
    token = _made_ago(monkeypatch, 24 * 3600 - 2, staff, LinkPurpose.RESET)
    assert client.get(f"/password/link/{token}").status_code == 302
    time.sleep(3)
    response = client.post(
        "/password/new",
        data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "account": str(staff.id)},
    )
    assert response.status_code == 410
    db.session.refresh(staff)
    assert verify_password(staff.password_hash, PASSWORD)


@pytest.mark.parametrize(
    "token",
    ["garbage", "a.b.c", "eyJ1IjoxfQ.AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA", "x" * 600],
)
def test_a_garbled_link_is_a_clear_400_page(client, staff, token):
    response = client.get(f"/password/link/{token}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "not complete or not valid" in page and "Ask for a new link" in page


def test_a_tampered_link_is_refused(client, staff, other_staff):
    token = make_token(staff, LinkPurpose.RESET)
    payload, rest = token.split(".", 1)
    other_payload = make_token(other_staff, LinkPurpose.RESET).split(".", 1)[0]
    assert client.get(f"/password/link/{other_payload}.{rest}").status_code == 400


def test_the_set_password_page_without_a_link_is_refused(client):
    assert client.get("/password/new").status_code == 400
    response = client.post("/password/new", data={"new_password": NEW_PASSWORD})
    assert response.status_code == 400


def test_a_link_of_a_deactivated_account_does_not_work(client, staff):
    token = make_token(staff, LinkPurpose.RESET)
    staff.is_active_account = False
    staff.session_version += 1
    db.session.commit()
    assert client.get(f"/password/link/{token}").status_code == 410


# --- Forgot password ---------------------------------------------------------------------------


def test_login_page_links_to_forgot_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "Forgot your password?" in page
    assert 'autocomplete="current-password"' in page


def test_forgot_password_answers_alike_for_known_and_unknown_addresses(client, staff):
    known = client.post("/password/forgot", data={"email": "SANNA@lahti.fi "})
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@lahti.fi"})
    unknown_page = client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/login"
    assert "If the address has an account, a link is on its way" in known_page

    def normalise(page: str) -> str:
        return re.sub(r'name="csrf_token"[^>]*>', "", page)

    assert normalise(known_page) == normalise(unknown_page)
    [mail] = _mails()
    assert mail.kind == "password_reset" and mail.to_user_id == staff.id
    assert _set_password(client, _token(mail)).status_code == 302


def test_forgot_password_sends_nothing_to_a_deactivated_account(client, staff):
    staff.is_active_account = False
    db.session.commit()
    response = client.post("/password/forgot", data={"email": staff.email})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert _mails() == []


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
def test_forgot_password_is_throttled_alike_for_known_and_unknown(client, staff, throttled, email):
    answers = [client.post("/password/forgot", data={"email": email}).status_code for _ in range(6)]
    assert answers == [302] * 5 + [429]
    assert len(_mails()) == (5 if email == staff.email else 0)
    throttled_events = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "throttled")
    )
    assert throttled_events == 1


def test_an_admin_sets_no_password_and_learns_none_even_with_supervisor_email(
    client, admin, supervisor
):
    """The privacy review's case: the administrator cannot take over a supervisor account."""
    client.login(admin)
    client.post(
        f"/admin/users/{supervisor.user_id}",
        data={
            "email": supervisor.user.email,
            "name": supervisor.user.name,
            "unit": 0,
            "role_supervisor": "y",
            "password": "a password the admin chose",
        },
    )
    db.session.refresh(supervisor.user)
    assert verify_password(supervisor.user.password_hash, PASSWORD)
    assert not verify_password(supervisor.user.password_hash, "a password the admin chose")
    assert supervisor.user.roles == {Role.SUPERVISOR}


# --- What the second review found --------------------------------------------------------


def test_a_link_sent_to_an_address_since_corrected_no_longer_works(client, app, admin, unit):
    client.login(admin)
    form = {"email": "typo@wrong.fi", "name": "Niina", "unit": unit.id, "role_staff": "y"}
    assert client.post("/admin/users/new", data=form).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "typo@wrong.fi"))
    token = _token(_mails("password_invitation")[0])
    corrected = form | {"email": "niina@lahti.fi"}
    assert client.post(f"/admin/users/{user.id}", data=corrected).status_code == 302

    stranger = app.test_client()
    assert stranger.get(f"/password/link/{token}").status_code == 410
    db.session.refresh(user)
    assert user.password_hash is None


def test_a_form_opened_for_one_link_never_sets_another_accounts_password(
    client, staff, other_staff
):
    first = make_token(staff, LinkPurpose.RESET)
    second = make_token(other_staff, LinkPurpose.RESET)
    assert client.get(f"/password/link/{first}").status_code == 302
    form = client.get("/password/new").get_data(as_text=True)
    assert staff.email in form
    assert client.get(f"/password/link/{second}").status_code == 302  # another tab

    response = client.post(
        "/password/new",
        data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "account": _account(form)},
    )
    assert response.status_code == 409
    assert "Another password link was opened in this browser" in response.get_data(as_text=True)
    for user in (staff, other_staff):
        db.session.refresh(user)
        assert verify_password(user.password_hash, PASSWORD)

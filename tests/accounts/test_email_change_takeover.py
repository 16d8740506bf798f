"""An administrator's change of somebody's address never hands them the account
(issue 22, item 1; the design is in lahti_pool/accounts/email_changes.py)."""

import re
from datetime import timedelta

from sqlalchemy import select
from tests_support import PASSWORD

from lahti_pool.accounts.email_changes import EmailChange
from lahti_pool.accounts.models import User
from lahti_pool.accounts.passwords import verify_password
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db

CHANGE_LINK = re.compile(r"http://[^\s\"<]+(/email/change/[A-Za-z0-9_.\-]+)")
PASSWORD_LINK = re.compile(r"/password/link/[A-Za-z0-9_.\-]+")
ADMINS_OWN = "aino.private@example.org"


def _mails_to(address: str) -> list[MailMessage]:
    return list(
        db.session.scalars(
            select(MailMessage).where(MailMessage.to_address == address).order_by(MailMessage.id)
        )
    )


def _link(message: MailMessage) -> str:
    return CHANGE_LINK.search(message.body_text).group(1)


def _edit_email(client, user: User, email: str):
    return client.post(
        f"/admin/users/{user.id}",
        data={"email": email, "name": user.name, "unit": 0, "role_supervisor": "y"},
    )


def _password_links_to(address: str) -> list[str]:
    return [m.kind for m in _mails_to(address) if PASSWORD_LINK.search(m.body_text)]


def test_the_admin_cannot_take_over_a_supervisor_by_changing_the_address(
    client, app, admin, supervisor
):
    """Today's takeover path: change the address, send a link, set a password, log in."""
    sup_user = supervisor.user
    old_address = sup_user.email
    client.login(admin)
    assert _edit_email(client, sup_user, ADMINS_OWN).status_code == 302
    client.post(f"/admin/users/{sup_user.id}/password-link")
    client.post("/password/forgot", data={"email": ADMINS_OWN})

    # The address has not changed; no password link reached the administrator's address.
    db.session.refresh(sup_user)
    assert sup_user.email == old_address
    assert _password_links_to(ADMINS_OWN) == []
    confirm, told = _mails_to(ADMINS_OWN)[0], _mails_to(old_address)[0]
    assert confirm.kind == "email_change_confirm" and told.kind == "email_changed"

    # The administrator controls the new address and confirms it: links are still held.
    stranger = app.test_client()
    assert stranger.get(_link(confirm)).status_code == 200  # a GET changes nothing
    db.session.refresh(sup_user)
    assert sup_user.email == old_address
    assert stranger.post(_link(confirm)).status_code == 200
    db.session.refresh(sup_user)
    assert sup_user.email == ADMINS_OWN
    refused = client.post(f"/admin/users/{sup_user.id}/password-link", follow_redirects=True)
    assert "password links go to the new address only from" in refused.get_data(as_text=True)
    client.post("/password/forgot", data={"email": ADMINS_OWN})
    assert _password_links_to(ADMINS_OWN) == []

    # The supervisor stops it from the old address: the address and password are theirs.
    assert app.test_client().post(_link(told)).status_code == 200
    db.session.refresh(sup_user)
    assert sup_user.email == old_address
    assert verify_password(sup_user.password_hash, PASSWORD)
    assert app.test_client().post(_link(confirm)).status_code == 410


def test_a_stopped_change_never_takes_effect(client, app, admin, supervisor):
    sup_user = supervisor.user
    old_address = sup_user.email
    client.login(admin)
    _edit_email(client, sup_user, ADMINS_OWN)
    confirm, told = _mails_to(ADMINS_OWN)[0], _mails_to(old_address)[0]
    assert app.test_client().post(_link(told)).status_code == 200
    assert app.test_client().post(_link(confirm)).status_code == 410
    db.session.refresh(sup_user)
    assert sup_user.email == old_address


def test_links_go_to_a_confirmed_address_once_the_hold_is_over(client, app, admin, supervisor):
    sup_user = supervisor.user
    client.login(admin)
    _edit_email(client, sup_user, "seppo.new@lahti.fi")
    app.test_client().post(_link(_mails_to("seppo.new@lahti.fi")[0]))
    change = db.session.scalar(select(EmailChange))
    change.confirmed_at -= timedelta(days=app.config["EMAIL_CHANGE_HOLD_DAYS"], minutes=1)
    db.session.commit()
    assert client.post(f"/admin/users/{sup_user.id}/password-link").status_code == 302
    assert _password_links_to("seppo.new@lahti.fi") == ["password_reset"]


def test_a_new_users_corrected_address_gets_the_invitation_once_confirmed(client, app, admin, unit):
    client.login(admin)
    form = {"email": "typo@wrong.fi", "name": "Niina", "unit": unit.id, "role_staff": "y"}
    assert client.post("/admin/users/new", data=form).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "typo@wrong.fi"))
    assert client.post(f"/admin/users/{user.id}", data=form | {"email": "niina@lahti.fi"})
    assert _password_links_to("niina@lahti.fi") == []
    app.test_client().post(_link(_mails_to("niina@lahti.fi")[0]))
    assert _password_links_to("niina@lahti.fi") == ["password_invitation"]


def test_a_garbled_change_link_is_a_clear_400(client):
    response = client.get("/email/change/not-a-token")
    assert response.status_code == 400
    assert "not complete or not valid" in response.get_data(as_text=True)

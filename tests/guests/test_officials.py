"""Inviting a guest organisation's officials by e-mail to limited accounts; the link
again; deactivating. The administrator and the organisation's contact person may."""

import re

from sqlalchemy import func, select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.guests import services

LINK = re.compile(r"/password/link/([A-Za-z0-9_.\-]+)")


def _mails(kind=None):
    query = select(MailMessage).order_by(MailMessage.id)
    if kind:
        query = query.where(MailMessage.kind == kind)
    return list(db.session.scalars(query))


def _users():
    return db.session.scalar(select(func.count()).select_from(User))


def test_inviting_an_official_makes_a_guest_account_and_mails_a_one_time_link(
    client, admin, hollola
):
    client.login(admin)
    response = client.post(
        f"/organisations/{hollola.id}/officials",
        data={"official-name": "Heli Hollola", "official-email": "Heli.Hollola@Hollola.fi"},
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "heli.hollola@hollola.fi"))
    assert user.roles == {Role.GUEST}
    assert user.unit_id == services.unit_of(hollola).id
    assert user.password_hash is None
    [mail] = _mails()
    assert (mail.kind, mail.to_user_id) == ("password_invitation", user.id)
    token = LINK.search(mail.body_text).group(1)
    page = client.get(f"/admin/organisations/{hollola.id}").get_data(as_text=True)
    assert "Heli Hollola" in page and "Invited, no password yet" in page
    assert token not in page
    # the official sets their password through the link and logs in
    guest_client = client.application.test_client()
    assert guest_client.get(f"/password/link/{token}").status_code == 302
    form = guest_client.get("/password/new").get_data(as_text=True)
    account = re.search(r'name="account" type="hidden" value="(\d+)"', form).group(1)
    done = guest_client.post(
        "/password/new",
        data={
            "new_password": "a long enough new secret",
            "confirm": "a long enough new secret",
            "account": account,
        },
    )
    assert done.status_code == 302
    login = guest_client.post(
        "/login", data={"email": "heli.hollola@hollola.fi", "password": "a long enough new secret"}
    )
    assert login.headers["Location"].endswith("/my-groups")


def test_an_address_in_use_or_invalid_is_refused_and_nothing_is_saved(
    client, admin, hollola, staff
):
    client.login(admin)
    before = _users()
    taken = client.post(
        f"/organisations/{hollola.id}/officials",
        data={"official-name": "Sanna", "official-email": "SANNA@lahti.fi"},
    )
    assert taken.status_code == 400
    assert "Somebody already has an account with this address." in taken.get_data(as_text=True)
    invalid = client.post(
        f"/organisations/{hollola.id}/officials",
        data={"official-name": "Nobody", "official-email": "nobody@"},
    )
    assert invalid.status_code == 400
    assert 'aria-invalid="true"' in invalid.get_data(as_text=True)
    assert _users() == before and _mails() == []
    assert staff.roles == {Role.STAFF}


def test_the_link_is_sent_again_and_an_official_deactivated(client, admin, hollola, make_guest):
    official = make_guest(hollola, password_hash=None)
    client.login(admin)
    assert (
        client.post(f"/organisations/{hollola.id}/officials/{official.id}/link").status_code == 302
    )
    assert [m.kind for m in _mails()] == ["password_invitation"]
    response = client.post(f"/organisations/{hollola.id}/officials/{official.id}/deactivate")
    assert response.status_code == 302
    db.session.refresh(official)
    assert not official.is_active_account


def test_the_contact_person_invites_colleagues_but_other_officials_may_not(
    client, hollola, phhyky, make_guest
):
    contact = make_guest(hollola, email="kaisa@hollola.fi", name="Kaisa Contact")
    colleague = make_guest(hollola)
    client.login(contact)
    home = client.get("/my-groups").get_data(as_text=True)
    assert f"/organisations/{hollola.id}/officials" in home
    response = client.post(
        f"/organisations/{hollola.id}/officials",
        data={"official-name": "Uusi", "official-email": "uusi@hollola.fi"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "uusi@hollola.fi")).roles == {
        Role.GUEST
    }
    # not another organisation's officials, nor the organisation's own page
    assert client.get(f"/organisations/{phhyky.id}/officials").status_code == 403
    assert client.get(f"/admin/organisations/{hollola.id}").status_code == 403
    client.login(colleague)
    assert client.get(f"/organisations/{hollola.id}/officials").status_code == 403
    refused = client.post(
        f"/organisations/{hollola.id}/officials",
        data={"official-name": "X", "official-email": "x@hollola.fi"},
    )
    assert refused.status_code == 403
    assert db.session.scalar(select(User).where(User.email == "x@hollola.fi")) is None


def test_an_official_of_another_organisation_cannot_be_acted_on(
    client, admin, hollola, phhyky, make_guest
):
    other = make_guest(phhyky)
    client.login(admin)
    response = client.post(f"/organisations/{hollola.id}/officials/{other.id}/deactivate")
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.is_active_account


def test_editing_an_official_on_the_users_page_keeps_the_guest_role(
    client, admin, hollola, make_guest
):
    official = make_guest(hollola, name="Heli")
    client.login(admin)
    page = client.get(f"/admin/users/{official.id}").get_data(as_text=True)
    box = re.search(r"<input[^>]*name=\"role_guest\"[^>]*>", page).group(0)
    assert "checked" in box
    response = client.post(
        f"/admin/users/{official.id}",
        data={
            "email": official.email,
            "name": "Heli Hollola",
            "unit": official.unit_id,
            "role_guest": "y",
        },
    )
    assert response.status_code == 302
    db.session.refresh(official)
    assert (official.name, official.roles) == ("Heli Hollola", {Role.GUEST})

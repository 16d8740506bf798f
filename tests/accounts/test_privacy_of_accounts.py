"""What the privacy review asked: the administrator is never a supervisor, a logout ends
the cookie, and a person's data export holds the goals of their own processes."""

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from tests_support import PASSWORD

from lahti_pool.accounts.models import Role, User
from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions.models import ProcessMember, SupervisionProcess
from lahti_pool.supervisors.models import Supervisor

BOTH_ROLES = "cannot be both the pool administrator and a supervisor"


def _user_form(user: User, **roles) -> dict:
    return {"email": user.email, "name": user.name, "unit": 0} | {f"role_{r}": "y" for r in roles}


# --- The administrator is never a supervisor ------------------------------------------------


def test_a_new_user_cannot_be_both_administrator_and_supervisor(client, admin):
    client.login(admin)
    response = client.post(
        "/admin/users/new",
        data={"email": "both@lahti.fi", "name": "Both", "unit": 0}
        | {"role_admin": "y", "role_supervisor": "y"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert BOTH_ROLES in page
    assert 'id="role_admin-error"' in page  # next to the role, for screen readers too
    assert db.session.scalar(select(User).where(User.email == "both@lahti.fi")) is None


def test_the_administrator_cannot_give_themself_the_supervisor_role(client, admin):
    client.login(admin)
    response = client.post(
        f"/admin/users/{admin.id}", data=_user_form(admin, admin=1, supervisor=1)
    )
    assert BOTH_ROLES in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.roles == {Role.ADMIN}


def test_a_supervisor_cannot_be_made_administrator(client, admin, supervisor):
    client.login(admin)
    user = supervisor.user
    both = client.post(f"/admin/users/{user.id}", data=_user_form(user, admin=1, supervisor=1))
    assert BOTH_ROLES in both.get_data(as_text=True)
    # Dropping the role is not enough: the profile decides whose answers they read.
    swapped = client.post(f"/admin/users/{user.id}", data=_user_form(user, admin=1))
    assert "has a supervisor profile" in swapped.get_data(as_text=True)
    db.session.refresh(user)
    assert user.roles == {Role.SUPERVISOR}


@pytest.fixture
def supervisor_form(agreement, division):
    def build(email: str) -> dict:
        return {
            "email": email,
            "kind": "contracted",
            "agreement": str(agreement.id),
            "rank": "3",
            "company_name": "Oma Ohjaus Oy",
            "business_id": "0112038-9",
            "contract_starts_on": "2025-08-01",
            "contract_ends_on": "2027-07-31",
            "price_individual": "85,50",
            "price_group": "120.00",
            "capacity_sessions": "40",
            "capacity_processes": "5",
            "languages": ["fi"],
            "modes": ["video"],
            "kinds": ["individual"],
            "divisions": [str(division.id)],
        }

    return build


def test_the_administrator_cannot_make_themself_a_supervisor_profile(
    client, admin, supervisor_form, make_user
):
    client.login(admin)
    response = client.post("/admin/supervisors/new", data=supervisor_form(admin.email))
    assert response.status_code == 200
    assert "is a pool administrator and cannot have a supervisor profile" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(Supervisor)) == 0
    db.session.refresh(admin)
    assert admin.roles == {Role.ADMIN}
    # Any other administrator likewise; a staff member may become a supervisor.
    other_admin = make_user(email="toinen@lahti.fi", roles={Role.ADMIN})
    client.post("/admin/supervisors/new", data=supervisor_form(other_admin.email))
    assert db.session.scalar(select(func.count()).select_from(Supervisor)) == 0
    colleague = make_user(email="kollega@lahti.fi", roles={Role.STAFF})
    assert (
        client.post("/admin/supervisors/new", data=supervisor_form(colleague.email)).status_code
        == 302
    )
    assert db.session.scalar(select(Supervisor.user_id)) == colleague.id


# --- Logout ----------------------------------------------------------------------------------


def test_a_copied_session_cookie_is_refused_after_logout(client, app, staff, school_year):
    client.login(staff)
    assert client.get("/dashboard").status_code == 200
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/dashboard").status_code == 200  # the copy works while logged in

    response = client.post("/logout")
    assert response.status_code == 302
    refused = thief.get("/dashboard")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "session.refused")
    )
    # Logging in again gives a cookie of the new version.
    assert (
        client.post("/login", data={"email": staff.email, "password": PASSWORD}).status_code == 302
    )
    assert client.get("/dashboard").status_code == 200


# --- The person's own data --------------------------------------------------------------------


def _process(supervisor, clients, year, goals: str) -> SupervisionProcess:
    process = SupervisionProcess(
        supervisor_id=supervisor.id,
        school_year_id=year.id,
        kind=RequestKind.GROUP if len(clients) > 1 else RequestKind.INDIVIDUAL,
        sessions_granted=3,
        price_cents=9000,
        vat_percent=Decimal("25.50"),
        rule="ranking",
        goals=goals,
        members=[ProcessMember(user_id=c.id) for c in clients],
    )
    db.session.add(process)
    db.session.commit()
    return process


def test_the_data_export_holds_the_goals_of_the_persons_own_processes_only(
    client, staff, other_staff, make_user, supervisor, school_year
):
    mine = _process(supervisor, [staff], school_year, "MY-OWN-GOALS")
    _process(supervisor, [staff, other_staff], school_year, "OUR-GROUP-GOALS")
    _process(supervisor, [other_staff], school_year, "SOMEONE-ELSES-GOALS")
    _process(supervisor, [make_user()], school_year, "A-STRANGERS-GOALS")

    client.login(staff)
    data = json.loads(client.get("/account/data.json").get_data(as_text=True))
    goals = sorted(p["goals"] for p in data["processes"])
    assert goals == ["MY-OWN-GOALS", "OUR-GROUP-GOALS"]
    own = next(p for p in data["processes"] if p["goals"] == "MY-OWN-GOALS")
    assert own["reference"] == mine.reference and own["supervisor"] == supervisor.name
    text = json.dumps(data)
    assert "SOMEONE-ELSES-GOALS" not in text and "A-STRANGERS-GOALS" not in text

    csv_text = client.get("/account/data.csv").get_data(as_text=True)
    assert "MY-OWN-GOALS" in csv_text and "OUR-GROUP-GOALS" in csv_text
    assert "SOMEONE-ELSES-GOALS" not in csv_text and "A-STRANGERS-GOALS" not in csv_text
    # The supervisor's own export lists no processes of theirs: the goals are the clients'.
    client.login(supervisor.user)
    assert "MY-OWN-GOALS" not in client.get("/account/data.json").get_data(as_text=True)


# --- An address changed by the administrator ------------------------------------------------


def test_the_old_address_hears_when_the_administrator_changes_it(client, admin, supervisor):
    from lahti_pool.core.outbox import MailMessage

    user = supervisor.user
    old = user.email
    client.login(admin)
    form = _user_form(user, supervisor=1) | {"email": "taken-over@example.org"}
    assert client.post(f"/admin/users/{user.id}", data=form).status_code == 302

    (mail,) = db.session.scalars(select(MailMessage).where(MailMessage.kind == "email_changed"))
    assert mail.to_address == old
    assert old in mail.body_text and "taken-over@example.org" in mail.body_text
    assert db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "user.email_change_requested", AuditEvent.object_id == user.id)
    )


def test_a_person_changing_their_own_address_gets_no_such_mail(client, staff):
    from lahti_pool.core.outbox import MailMessage

    client.login(staff)
    response = client.post(
        "/account/email", data={"current_password": PASSWORD, "email": "new.me@lahti.fi"}
    )
    assert response.status_code == 302
    db.session.refresh(staff)
    assert staff.email == "new.me@lahti.fi"
    kinds = db.session.scalars(select(MailMessage.kind)).all()
    assert "email_changed" not in kinds

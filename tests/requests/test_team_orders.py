"""A unit manager orders group supervision for named members of their unit (issue 20
item 4): the manager is not a member and uses none of their own sessions; the members are
invited as in any group; the order goes through matching to ``open_process``, and its
grounds name the manager. Bad input gets a message and saves nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests_support import CONFIRMED

from lahti_pool.accounts.models import Role
from lahti_pool.core.notifications import Notification, NotificationKind
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.organisation.job_groups import JobGroup
from lahti_pool.organisation.models import Unit
from lahti_pool.requests.models import MemberStatus, QuotaAccount, SupervisionRequest
from lahti_pool.requests.quota import account_for, change_quota
from lahti_pool.requests.rules import QuotaOp, RequestStatus
from lahti_pool.requests.services import withdraw_request
from lahti_pool.sessions.models import SupervisionProcess


@pytest.fixture
def principal(make_user):
    """A principal by HR's job title: a unit manager without any granted role."""
    return make_user(name="Pia Principal", job_title="Rehtori", job_group=JobGroup.PRINCIPAL)


@pytest.fixture
def team(make_user):
    return [make_user(name=f"Team member {i}") for i in range(3)]


def _form(school_year, today, emails, **overrides):
    data = {
        "group_name": "Kivimaan 3.-luokkien opettajat",
        "members": "\n".join(emails),
        "school_year": str(school_year.id),
        "sessions": "4",
        "modes": ["on_site"],
        "language": "fi",
        "wanted_from": today.isoformat(),
        "preferred_supervisor": "0",
    }
    data.update(overrides)
    return data


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _available(user, year):
    return account_for(user.id, year).state().available


def test_manager_orders_for_the_team_without_being_a_member_or_using_own_quota(
    client, principal, team, school_year, today
):
    client.login(principal)
    assert "Order group supervision for your team" in client.get("/dashboard").text
    response = client.post(
        "/requests/new/team", data=_form(school_year, today, [m.email for m in team])
    )
    assert response.status_code == 302
    sup_request = db.session.scalar(select(SupervisionRequest))
    assert sup_request.team_order and sup_request.requester_id == principal.id
    assert [(m.user_id, m.status) for m in sup_request.members] == [
        (m.id, MemberStatus.INVITED) for m in team
    ]
    assert [_available(m, school_year) for m in team] == [6, 6, 6]
    assert _available(principal, school_year) == 10
    invited = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == NotificationKind.GROUP_INVITATION)
    ).all()
    assert sorted(invited) == sorted(m.id for m in team)
    mailed = db.session.scalars(
        select(MailMessage.to_user_id).where(MailMessage.kind == "group_invitation")
    ).all()
    assert sorted(mailed) == sorted(m.id for m in team)
    detail = client.get(f"/requests/{sup_request.id}").text
    assert "the unit's manager, ordering for the team" in detail


def test_a_granted_manager_may_order_and_plain_staff_may_not(
    client, make_user, staff, team, school_year, today
):
    client.login(staff)
    assert client.get("/requests/new/team").status_code == 403
    post = client.post(
        "/requests/new/team", data=_form(school_year, today, [m.email for m in team])
    )
    assert post.status_code == 403
    assert _count(SupervisionRequest) == 0
    granted = make_user(name="Gunnar Granted", roles={Role.STAFF, Role.MANAGER})
    client.login(granted)
    response = client.post(
        "/requests/new/team", data=_form(school_year, today, [m.email for m in team])
    )
    assert response.status_code == 302
    assert db.session.scalar(select(SupervisionRequest.requester_id)) == granted.id


@pytest.fixture
def other_unit_person(make_user, division):
    elsewhere = Unit(code="MUU", name="Muun koulu", division=division)
    db.session.add(elsewhere)
    db.session.commit()
    return make_user(name="Elsa Elsewhere", unit_id=elsewhere.id)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("other_unit", "These people are not in your unit, Kivimaan koulu: "),
        ("too_few", "Name 3 to 12 members of your team; you named 2."),
        ("no_quota", "Not enough sessions left this school year for: Team member 0."),
        ("own_address", "You order for your team without taking part yourself"),
        ("unknown", "No colleague with this address: nobody@lahti.fi."),
    ],
)
def test_bad_orders_get_a_clear_message_and_save_nothing(
    client, principal, team, other_unit_person, school_year, today, case, message
):
    emails = [m.email for m in team]
    if case == "other_unit":
        emails.append(other_unit_person.email)
    elif case == "too_few":
        emails = emails[:2]
    elif case == "no_quota":
        change_quota(account_for(team[0].id, school_year), QuotaOp.HOLD, 8)
        db.session.commit()
    elif case == "own_address":
        emails.append(principal.email)
    elif case == "unknown":
        emails.append("nobody@lahti.fi")
    before = {
        row.user_id: (row.pending, row.reserved, row.used)
        for row in db.session.scalars(select(QuotaAccount))
    }
    client.login(principal)
    response = client.post("/requests/new/team", data=_form(school_year, today, emails))
    assert response.status_code == 200  # the form again, with the message
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert _count(SupervisionRequest) == 0
    assert _count(Notification) == 0
    after = {
        row.user_id: (row.pending, row.reserved, row.used)
        for row in db.session.scalars(select(QuotaAccount))
    }
    assert {k: v for k, v in after.items() if v != (0, 0, 0)} == {
        k: v for k, v in before.items() if v != (0, 0, 0)
    }


def test_the_order_becomes_a_process_of_the_members_whose_grounds_name_the_manager(
    client, admin, principal, team, supervisor, school_year, today
):
    client.login(principal)
    client.post("/requests/new/team", data=_form(school_year, today, [m.email for m in team]))
    sup_request = db.session.scalar(select(SupervisionRequest))
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
    opened = matching.accept_assignment(admin, assignment, today)
    db.session.commit()
    process = db.session.get(SupervisionProcess, opened.process.id)
    assert sorted(m.user_id for m in process.members) == sorted(m.id for m in team)
    assert process.grounds[0] == {
        "reason": "team_order",
        "name": principal.name,
        "manager_id": principal.id,
    }
    assert sup_request.status == RequestStatus.ACCEPTED
    assert [_available(m, school_year) for m in team] == [6, 6, 6]  # 4 reserved each
    assert _available(principal, school_year) == 10
    client.login(admin)
    export = client.get(
        "/admin/matching/orders.csv",
        query_string={"start": today - timedelta(days=1), "end": today + timedelta(days=1)},
    ).text
    assert f"ordered for the team by the unit's manager: {principal.name}" in export


def test_a_member_declines_and_the_manager_withdraws_the_rest(
    client, principal, team, school_year, today
):
    client.login(principal)
    client.post("/requests/new/team", data=_form(school_year, today, [m.email for m in team]))
    sup_request = db.session.scalar(select(SupervisionRequest))
    client.login(team[0])
    assert client.post(f"/requests/{sup_request.id}/decline", data=CONFIRMED).status_code == 302
    assert _available(team[0], school_year) == 10
    withdraw_request(principal, sup_request, "Aikataulu ei sovi.")
    db.session.commit()
    assert [_available(m, school_year) for m in team] == [10, 10, 10]
    assert _available(principal, school_year) == 10

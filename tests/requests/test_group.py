"""Group requests: an organiser names colleagues, each holds quota, each may decline."""

import pytest
from sqlalchemy import func, select

from lahti_pool.core.notifications import Notification, NotificationKind
from lahti_pool.extensions import db
from lahti_pool.requests.models import MemberStatus, QuotaAccount, SupervisionRequest
from lahti_pool.requests.quota import account_for, change_quota
from lahti_pool.requests.rules import QuotaOp, RequestStatus
from tests.tests_support import CONFIRMED


@pytest.fixture
def colleagues(make_user):
    return [make_user(name=f"Colleague {i}") for i in range(3)]


def _form(school_year, today, emails, **overrides):
    data = {
        "group_name": "Kivimaa special needs team",
        "members": "\n".join(emails),
        "school_year": str(school_year.id),
        "sessions": "5",
        "modes": ["on_site"],
        "language": "fi",
        "wanted_from": today.isoformat(),
        "preferred_supervisor": "0",
    }
    data.update(overrides)
    return data


def _available(user, year):
    return account_for(user.id, year).state().available


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_group_request_holds_quota_of_every_member_and_notifies_them(
    client, staff, colleagues, school_year, today
):
    client.login(staff)
    emails = [c.email for c in colleagues]
    response = client.post("/requests/new/group", data=_form(school_year, today, emails))
    assert response.status_code == 302
    sup_request = db.session.scalar(select(SupervisionRequest))
    assert [m.status for m in sup_request.members] == [MemberStatus.ORGANISER] + [
        MemberStatus.INVITED
    ] * 3
    for person in [staff, *colleagues]:
        assert _available(person, school_year) == 5
    invited = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == NotificationKind.GROUP_INVITATION)
    ).all()
    assert sorted(invited) == sorted(c.id for c in colleagues)


def test_colleague_sees_invitation_and_declines_it(
    client, app, staff, colleagues, school_year, today
):
    client.login(staff)
    client.post(
        "/requests/new/group", data=_form(school_year, today, [c.email for c in colleagues])
    )
    sup_request = db.session.scalar(select(SupervisionRequest))
    member = colleagues[0]
    member_client = app.test_client()
    member_client.login(member)
    assert "Kivimaa special needs team" in member_client.get("/dashboard").get_data(as_text=True)
    assert "Kivimaa special needs team" in member_client.get("/notifications").get_data(
        as_text=True
    )
    response = member_client.post(f"/requests/{sup_request.id}/decline", data=CONFIRMED)
    assert response.status_code == 302
    assert _available(member, school_year) == 10
    assert sup_request.member_row(member).status == MemberStatus.DECLINED
    assert sup_request.status == RequestStatus.SUBMITTED
    # Declining twice changes nothing more.
    member_client.post(f"/requests/{sup_request.id}/decline", data=CONFIRMED)
    assert _available(member, school_year) == 10


def test_colleague_without_quota_is_refused_with_their_name(
    client, staff, colleagues, school_year, today
):
    short = colleagues[1]
    change_quota(account_for(short.id, school_year), QuotaOp.HOLD, 8)
    db.session.commit()
    client.login(staff)
    response = client.post(
        "/requests/new/group", data=_form(school_year, today, [c.email for c in colleagues])
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not enough sessions left this school year for: Colleague 1" in page
    assert _count(SupervisionRequest) == 0
    assert _available(staff, school_year) == 10  # nothing half-saved
    assert _available(colleagues[0], school_year) == 10


@pytest.mark.parametrize(
    ("emails", "message"),
    [
        (["nobody@lahti.fi", "x@lahti.fi"], "No colleague with this address"),
        (["DUP@lahti.fi", "dup@lahti.fi", "ok@lahti.fi"], "Each colleague only once"),
        (["one@lahti.fi"], "A group has 3 to 12 members including you"),
    ],
)
def test_bad_member_lists_are_refused(
    client, staff, colleagues, school_year, today, emails, message
):
    client.login(staff)
    response = client.post("/requests/new/group", data=_form(school_year, today, emails))
    assert message in response.get_data(as_text=True)
    assert _count(SupervisionRequest) == 0


def test_organiser_naming_themselves_is_told_to_leave_it_out(
    client, staff, colleagues, school_year, today
):
    client.login(staff)
    emails = [staff.email, colleagues[0].email, colleagues[1].email]
    response = client.post("/requests/new/group", data=_form(school_year, today, emails))
    assert "leave your own address out" in response.get_data(as_text=True)


def test_group_of_more_than_twelve_is_refused(client, staff, make_user, school_year, today):
    many = [make_user().email for _ in range(12)]
    client.login(staff)
    response = client.post("/requests/new/group", data=_form(school_year, today, many))
    assert "A group has 3 to 12 members including you; you named 12 colleagues" in (
        response.get_data(as_text=True)
    )


def test_withdrawing_a_group_request_frees_every_members_sessions(
    client, app, staff, colleagues, school_year, today
):
    client.login(staff)
    client.post(
        "/requests/new/group", data=_form(school_year, today, [c.email for c in colleagues])
    )
    sup_request = db.session.scalar(select(SupervisionRequest))
    other = app.test_client()
    other.login(colleagues[0])
    other.post(f"/requests/{sup_request.id}/decline", data=CONFIRMED)
    client.post(f"/requests/{sup_request.id}/withdraw")
    assert sup_request.status == RequestStatus.WITHDRAWN
    assert all(a.pending == 0 for a in db.session.scalars(select(QuotaAccount)))


def test_member_cannot_withdraw_the_organisers_request(
    client, app, staff, colleagues, school_year, today
):
    client.login(staff)
    client.post(
        "/requests/new/group", data=_form(school_year, today, [c.email for c in colleagues])
    )
    sup_request = db.session.scalar(select(SupervisionRequest))
    member = app.test_client()
    member.login(colleagues[0])
    member.post(f"/requests/{sup_request.id}/withdraw")
    assert sup_request.status == RequestStatus.SUBMITTED


def test_a_member_who_declined_sees_their_own_status_once_the_group_is_accepted(
    client, app, staff, colleagues, admin, make_supervisor, school_year, today
):
    from lahti_pool.matching import services as matching
    from lahti_pool.matching.eligibility import Policy

    make_supervisor(rank=1)
    client.login(staff)
    client.post(
        "/requests/new/group", data=_form(school_year, today, [c.email for c in colleagues])
    )
    sup_request = db.session.scalar(select(SupervisionRequest))
    declined, taking_part = colleagues[0], colleagues[1]
    member_client = app.test_client()
    member_client.login(declined)
    member_client.post(f"/requests/{sup_request.id}/decline", data=CONFIRMED)
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    matching.accept_assignment(admin, run.assignments[0], today)
    db.session.commit()
    assert sup_request.status == RequestStatus.ACCEPTED

    dashboard = member_client.get("/dashboard").text
    assert "You declined the invitation" in dashboard
    assert "Accepted" not in dashboard
    detail = member_client.get(f"/requests/{sup_request.id}").text
    assert '<p class="lead">You declined the invitation.' in detail  # the history keeps it
    other_client = app.test_client()
    other_client.login(taking_part)
    assert "Accepted" in other_client.get("/dashboard").text


def test_declining_an_invitation_asks_first_and_a_bare_post_declines_nothing(
    client, app, staff, colleagues, school_year, today
):
    client.login(staff)
    client.post(
        "/requests/new/group", data=_form(school_year, today, [c.email for c in colleagues])
    )
    sup_request = db.session.scalar(select(SupervisionRequest))
    member = colleagues[0]
    member_client = app.test_client()
    member_client.login(member)
    url = f"/requests/{sup_request.id}/decline"
    assert f'href="{url}"' in member_client.get("/dashboard").text
    page = member_client.get(url).text
    assert "Decline the invitation?" in page
    assert "You leave the group “Kivimaa special needs team”: the 5 sessions" in page
    assert 'name="confirmed" value="yes"' in page and 'name="csrf_token"' in page
    assert f'href="/requests/{sup_request.id}">No, keep the invitation' in page
    bare = member_client.post(url)
    assert bare.status_code == 200 and "Decline the invitation?" in bare.text
    assert sup_request.member_row(member).status == MemberStatus.INVITED
    assert _available(member, school_year) == 5
    member_client.post(url, data=CONFIRMED)
    db.session.refresh(sup_request)
    assert sup_request.member_row(member).status == MemberStatus.DECLINED
    assert _available(member, school_year) == 10

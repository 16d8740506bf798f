"""Groups across organisations: a group request names the guest organisations taking
part; their active officials may be members, others are refused; a guest official may
organise a group with the city; the city's quota is never touched for a guest."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.core.errors import DomainError
from lahti_pool.extensions import db
from lahti_pool.guests.membership import group_organisations
from lahti_pool.guests.models import GroupOrganisation
from lahti_pool.matching.services import create_process
from lahti_pool.requests.models import QuotaAccount, SupervisionRequest
from lahti_pool.requests.quota import account_for
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import (
    GroupRequestInput,
    change_status,
    decline_group_membership,
    submit_group_request,
)
from lahti_pool.sessions import processes, rules, services
from lahti_pool.sessions.models import SessionStatus
from lahti_pool.sessions.services import LogInput, SessionInput


def _form(school_year, today, emails, orgs=(), **overrides):
    data = {
        "group_name": "Päijät-Häme education officials",
        "members": "\n".join(emails),
        "organisations": [str(o.id) for o in orgs],
        "school_year": str(school_year.id),
        "sessions": "5",
        "modes": ["on_site"],
        "language": "fi",
        "wanted_from": today.isoformat(),
        "preferred_supervisor": "0",
    }
    data.update(overrides)
    return data


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (SupervisionRequest, GroupOrganisation)
    )


def _quota_rows(user):
    return db.session.scalar(
        select(func.count()).select_from(QuotaAccount).where(QuotaAccount.user_id == user.id)
    )


def test_a_city_group_takes_in_officials_of_the_chosen_organisations_without_their_quota(
    client, staff, other_staff, hollola, phhyky, make_guest, school_year, today
):
    heli, pirjo = make_guest(hollola, name="Heli"), make_guest(phhyky, name="Pirjo")
    client.login(staff)
    page = client.get("/requests/new/group").get_data(as_text=True)
    assert "Hollolan kunta" in page and "Päijät-Hämeen hyvinvointialue" in page
    emails = [other_staff.email, heli.email, pirjo.email]
    response = client.post(
        "/requests/new/group", data=_form(school_year, today, emails, (hollola, phhyky))
    )
    assert response.status_code == 302
    sup_request = db.session.scalar(select(SupervisionRequest))
    assert {m.user_id for m in sup_request.members} == {staff.id, other_staff.id, heli.id, pirjo.id}
    assert [o.name for o in group_organisations(sup_request.id)] == [
        "Hollolan kunta",
        "Päijät-Hämeen hyvinvointialue",
    ]
    # the city's staff hold their sessions; the guests have no city quota at all
    assert account_for(staff.id, school_year).state().available == 5
    assert account_for(other_staff.id, school_year).state().available == 5
    assert (_quota_rows(heli), _quota_rows(pirjo)) == (0, 0)
    detail = client.get(f"/requests/{sup_request.id}").get_data(as_text=True)
    assert "Hollolan kunta" in detail


def test_a_guest_of_an_organisation_not_taking_part_is_refused_and_nothing_saved(
    client, staff, other_staff, hollola, phhyky, make_guest, school_year, today
):
    heli, pirjo = make_guest(hollola, name="Heli Hollola"), make_guest(phhyky, name="Pirjo")
    client.login(staff)
    before = _counts()
    emails = [other_staff.email, heli.email, pirjo.email]
    response = client.post("/requests/new/group", data=_form(school_year, today, emails, (phhyky,)))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Heli Hollola work for an organisation that is not taking part" in page
    assert "Hollolan kunta" in page.split("not taking part")[1]
    assert _counts() == before
    assert account_for(staff.id, school_year).state().available == 10


def test_the_one_city_group_flow_is_unchanged(
    client, staff, other_staff, make_user, school_year, today
):
    third = make_user()
    client.login(staff)
    response = client.post(
        "/requests/new/group", data=_form(school_year, today, [other_staff.email, third.email])
    )
    assert response.status_code == 302
    sup_request = db.session.scalar(select(SupervisionRequest))
    assert group_organisations(sup_request.id) == []
    for person in (staff, other_staff, third):
        assert account_for(person.id, school_year).state().available == 5


def test_a_guest_official_organises_a_group_of_their_organisation_with_the_city(
    client, staff, hollola, phhyky, make_guest, school_year, today
):
    heli, colleague, pirjo = make_guest(hollola), make_guest(hollola), make_guest(phhyky)
    client.login(heli)
    page = client.get("/requests/new/group").get_data(as_text=True)
    assert "sessions available this school year" not in page  # no city quota to show
    # another organisation's official needs that organisation chosen
    refused = client.post(
        "/requests/new/group", data=_form(school_year, today, [staff.email, pirjo.email])
    )
    assert "not taking part" in refused.get_data(as_text=True)
    response = client.post(
        "/requests/new/group", data=_form(school_year, today, [staff.email, colleague.email])
    )
    assert response.status_code == 302
    sup_request = db.session.scalar(select(SupervisionRequest))
    assert sup_request.requester_id == heli.id
    assert [o.id for o in group_organisations(sup_request.id)] == [hollola.id]
    assert account_for(staff.id, school_year).state().available == 5
    assert (_quota_rows(heli), _quota_rows(colleague)) == (0, 0)
    # a guest still cannot ask for individual supervision
    assert client.get("/requests/new").status_code == 403


def test_a_team_order_still_takes_only_the_citys_staff(
    make_user, hollola, make_guest, school_year, today
):
    from lahti_pool.requests.services import find_members

    guest = make_guest(hollola)
    with pytest.raises(DomainError) as refused:
        find_members([guest.email])
    assert "cannot take part in staff supervision" in refused.value.msgid


@pytest.fixture
def cross_group(staff, other_staff, hollola, make_guest, school_year, today):
    heli = make_guest(hollola, name="Heli")
    sup_request = submit_group_request(
        staff,
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=4,
            modes=("on_site",),
            language="fi",
            wanted_from=today,
            group_name="Across",
            member_emails=(other_staff.email, heli.email),
            organisation_ids=(hollola.id,),
        ),
        today,
    )
    db.session.commit()
    return sup_request, heli


def test_opening_holding_and_closing_a_process_never_touches_a_guests_quota(
    client, admin, staff, supervisor, cross_group, school_year, today
):
    sup_request, heli = cross_group
    change_status(admin, sup_request, RequestStatus.MATCHED)  # as a matching run does
    # fewer sessions granted than asked: each member's surplus is given back (not Heli's)
    opened = create_process(admin, sup_request, supervisor, 3, rule="override", grounds=[])
    process = opened.process
    db.session.commit()
    assert account_for(staff.id, school_year).state().available == 7
    assert _quota_rows(heli) == 0
    starts = rules.local_to_utc(today + timedelta(days=2), time(10))
    sup_session, _ = services.plan_session(
        supervisor.user,
        process,
        SessionInput(
            on_date=rules.local_date(starts), at=time(10), duration_minutes=90, mode="on_site"
        ),
        starts - timedelta(days=1),
    )
    db.session.commit()
    services.log_session(
        supervisor.user,
        sup_session,
        LogInput(SessionStatus.HELD, 90, frozenset(m.user_id for m in process.members)),
        starts + timedelta(hours=2),
    )
    db.session.commit()
    assert account_for(staff.id, school_year).state().used == 1
    assert _quota_rows(heli) == 0
    # the official follows their own group: its process and its sessions
    client.login(heli)
    assert client.get(f"/processes/{process.id}").status_code == 200
    assert f"/processes/{process.id}" in client.get("/my-sessions").get_data(as_text=True)
    processes.close(admin, process, datetime.now(UTC))
    db.session.commit()
    assert account_for(staff.id, school_year).state().available == 9
    assert _quota_rows(heli) == 0


def test_a_guest_declines_an_invitation_without_quota(cross_group, staff, school_year):
    sup_request, heli = cross_group
    decline_group_membership(heli, sup_request)
    db.session.commit()
    assert _quota_rows(heli) == 0
    assert account_for(staff.id, school_year).state().available == 6

"""Hosts as people: the fair plan, a host who is not a member, the host's reminder, the
venue in invitations, and the administrator's venues."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.core.errors import DomainError
from lahti_pool.core.models import utcnow
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.hosting import services
from lahti_pool.hosting.jobs import queue_host_reminders
from lahti_pool.hosting.services import PlanRow
from lahti_pool.organisation.models import Venue
from lahti_pool.organisation.orgs import organisation_ids
from lahti_pool.sessions import rules
from lahti_pool.sessions.models import SupervisionSession


def hosts_of(process):
    db.session.expire_all()
    return [s.host_user_id for s in services.planned_sessions(process)]


def test_the_plan_rotates_hosts_across_the_members_organisations(group, members, plan_sessions):
    plan_sessions(6)
    proposal = services.propose_plan(group)
    orgs = organisation_ids(m.id for m in members)
    hosted_orgs = [orgs[row.host_user_id] for row in proposal]
    # three organisations, six meetings: each hosts twice, and no organisation hosts a
    # second time before every one has hosted once
    assert len(set(hosted_orgs[:3])) == 3 and len(set(hosted_orgs[3:])) == 3
    # the city's two members share the city's turns
    city_hosts = [row.host_user_id for row in proposal if orgs[row.host_user_id] is None]
    assert sorted(city_hosts) == sorted([members[0].id, members[1].id])

    changed = services.save_plan(group.supervisor.user, group, proposal)
    db.session.commit()
    assert changed == 6
    assert hosts_of(group) == [row.host_user_id for row in proposal]


def test_meetings_already_hosted_count_in_the_next_plan(group, members, plan_sessions):
    first, *_rest = plan_sessions(3)
    first.host_user_id = members[2].id  # Rae hosted the first meeting, already held
    first.status = "held"
    db.session.commit()
    proposal = services.propose_plan(group)
    orgs = organisation_ids(m.id for m in members)
    assert [orgs[row.host_user_id] for row in proposal] == [
        None,
        orgs[members[3].id],
    ]


def test_a_host_who_is_not_a_member_is_refused_and_nothing_is_saved(
    group, plan_sessions, make_user, venue
):
    sessions = plan_sessions(2)
    stranger = make_user(name="Not in the group")
    rows = [
        PlanRow(sessions[0].id, group.members[0].user_id, venue.id),
        PlanRow(sessions[1].id, stranger.id, None),
    ]
    with pytest.raises(DomainError, match="host among the group's members"):
        services.save_plan(group.supervisor.user, group, rows)
    db.session.rollback()
    assert hosts_of(group) == [None, None]


def test_the_plan_page_refuses_a_stranger_as_host_with_a_message(
    client, group, plan_sessions, make_user
):
    (sup_session,) = plan_sessions(1)
    stranger = make_user(name="Not in the group")
    client.login(group.supervisor.user)
    response = client.post(
        f"/processes/{group.id}/hosts",
        data={"action": "save", f"s{sup_session.id}-host": str(stranger.id)},
    )
    assert response.status_code == 400
    assert "Choose the host among the group&#39;s members." in response.text
    assert hosts_of(group) == [None]


def test_the_supervisor_saves_a_plan_and_members_see_it(
    client, group, members, plan_sessions, venue
):
    (sup_session,) = plan_sessions(1)
    client.login(group.supervisor.user)
    response = client.post(
        f"/processes/{group.id}/hosts",
        data={
            "action": "save",
            f"s{sup_session.id}-host": str(members[2].id),
            f"s{sup_session.id}-venue": str(venue.id),
        },
    )
    assert response.status_code == 302
    client.login(members[1])
    page = client.get(f"/processes/{group.id}/hosts").text
    assert "Carla Rae" in page and "Viskla nature centre" in page
    assert "Propose a fair rotation" not in page  # members read the plan, not change it
    # the members' changed invitation carries the venue and its accessibility note
    mail = db.session.scalar(
        select(MailMessage).where(
            MailMessage.kind == "session_changed", MailMessage.to_user_id == members[1].id
        )
    )
    assert "Viskla nature centre, Viskla küla, Harju" in mail.body_text
    assert "Step-free path from the car park" in mail.body_text
    assert "Host: Carla Rae" in mail.body_text
    assert "LOCATION:Viskla nature centre" in mail.ics.replace("\r\n ", "")


def test_a_stranger_cannot_see_the_plan(client, group, make_user):
    client.login(make_user(name="Not in the group"))
    assert client.get(f"/processes/{group.id}/hosts").status_code == 403


def test_the_host_is_reminded_once_with_the_checklist(group, members, plan_sessions, venue):
    (sup_session,) = plan_sessions(1, first_day=5)
    services.save_plan(
        group.supervisor.user, group, [PlanRow(sup_session.id, members[3].id, venue.id)]
    )
    db.session.commit()
    now = utcnow()
    today = rules.local_date(now)
    assert queue_host_reminders(today, now) == 1
    assert queue_host_reminders(today + timedelta(days=1), now) == 0  # once
    db.session.commit()
    (mail,) = db.session.scalars(select(MailMessage).where(MailMessage.kind == "host_reminder"))
    assert mail.to_user_id == members[3].id
    assert "The room or venue is booked" in mail.body_text
    assert "Directions have been sent to the members." in mail.body_text
    assert "video link" not in mail.body_text  # on site without a link: not hybrid
    assert "Step-free path from the car park" in mail.body_text


def test_a_session_further_than_a_week_away_is_not_reminded_yet(group, members, plan_sessions):
    (sup_session,) = plan_sessions(1, first_day=9)
    services.save_plan(group.supervisor.user, group, [PlanRow(sup_session.id, members[0].id, None)])
    now = utcnow()
    assert queue_host_reminders(rules.local_date(now), now) == 0


def test_the_host_sees_the_checklist_on_the_process_page(client, group, members, plan_sessions):
    (sup_session,) = plan_sessions(1, video_url="https://meet.example.fi/harju")
    services.save_plan(group.supervisor.user, group, [PlanRow(sup_session.id, members[0].id, None)])
    db.session.commit()
    client.login(members[0])
    page = client.get(f"/processes/{group.id}").text
    assert "Sessions you host" in page
    assert "Refreshments are arranged." in page
    client.login(members[1])
    assert "Sessions you host" not in client.get(f"/processes/{group.id}").text


# --- Venues ---------------------------------------------------------------------------


def test_the_administrator_adds_and_changes_a_venue(client, admin, guest_units):
    client.login(admin)
    organisation_id = guest_units[0].division.organisation_id
    response = client.post(
        "/admin/venues/new",
        data={
            "name": "Kolga manor",
            "address": "Kolga, Harju",
            "accessibility_note": "Two steps at the door; a ramp on request",
            "organisation": str(organisation_id),
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    venue = db.session.scalar(select(Venue))
    assert (venue.name, venue.organisation_id) == ("Kolga manor", organisation_id)
    response = client.post(
        f"/admin/venues/{venue.id}", data={"name": "Kolga manor hall", "organisation": "0"}
    )
    assert response.status_code == 302
    db.session.refresh(venue)
    assert (venue.name, venue.organisation_id, venue.is_active) == ("Kolga manor hall", None, False)
    assert "Kolga manor hall" in client.get("/admin/venues").text


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "organisation": "0"}, "This field is required."),
        ({"name": "   ", "organisation": "0"}, "Give the venue a name."),
        ({"name": "X", "organisation": "999"}, "Not a valid choice."),
        ({"name": "X" * 201, "organisation": "0"}, "Field cannot be longer than 200 characters."),
    ],
)
def test_a_venue_with_bad_input_gets_a_message_and_is_not_saved(client, admin, data, message):
    client.login(admin)
    response = client.post("/admin/venues/new", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(Venue)) == 0


def test_a_session_planned_with_a_venue_invites_with_it(group, members, plan_sessions, venue):
    (sup_session,) = plan_sessions(1, host_user_id=members[2].id, venue_id=venue.id)
    mail = db.session.scalar(
        select(MailMessage).where(
            MailMessage.kind == "session_planned", MailMessage.to_user_id == members[0].id
        )
    )
    assert "Viskla küla, Harju" in mail.body_text
    ics = mail.ics.replace("\r\n ", "")
    assert "Accessibility: Step-free path from the car park" in ics
    assert db.session.get(SupervisionSession, sup_session.id).venue_id == venue.id


def test_planning_a_session_with_a_stranger_as_host_says_why_and_saves_nothing(
    client, group, make_user, venue
):
    stranger = make_user(name="Not in the group")
    day = rules.local_date(utcnow()) + timedelta(days=3)
    client.login(group.supervisor.user)
    response = client.post(
        f"/processes/{group.id}/sessions/new",
        data={
            "on_date": day.isoformat(),
            "at": "13:00",
            "duration": "90",
            "mode": "on_site",
            "host": str(stranger.id),
            "venue": str(venue.id),
        },
    )
    assert "Choose the host among the group&#39;s members." in response.text
    assert db.session.scalar(select(func.count()).select_from(SupervisionSession)) == 0

"""Covision circles: started from a closed group, joined, planned with a fair rotation of
hosts, led by the host (topic, attendance); no quota, no money, no supervisor, no notes."""

from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from lahti_pool.budget.models import SessionCost
from lahti_pool.circles import services
from lahti_pool.circles.models import (
    CircleMeeting,
    CovisionCircle,
    MeetingState,
    MemberState,
)
from lahti_pool.core.errors import DomainError, NotPermitted
from lahti_pool.core.outbox import MailMessage
from lahti_pool.extensions import db
from lahti_pool.requests.quota import account_for


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_member_starts_a_circle_from_the_closed_process_and_the_others_are_invited(
    closed_process, members
):
    circle = services.start_circle(members[0], closed_process, "  Kovisio  ")
    db.session.commit()
    states = {m.user.name: m.state for m in circle.members}
    assert states == {
        "Anna Aalto": MemberState.JOINED,
        "Bertta Berg": MemberState.INVITED,
        "Cecilia Carlsson": MemberState.INVITED,
    }
    assert circle.name == "Kovisio"
    invitations = db.session.scalars(
        select(MailMessage.to_address).where(MailMessage.kind == "circle_invitation")
    ).all()
    assert sorted(invitations) == ["bertta@lahti.fi", "cecilia@hollola.fi"]


def test_a_circle_is_not_started_while_the_process_runs_nor_twice(
    group_process, closed_process, members, make_user
):
    with pytest.raises(NotPermitted):
        services.start_circle(make_user(), closed_process, "Outsiders")
    services.start_circle(members[0], closed_process, "First")
    db.session.commit()
    with pytest.raises(DomainError, match="already has a circle"):
        services.start_circle(members[1], closed_process, "Second")
    db.session.rollback()
    assert _count(CovisionCircle) == 1


def test_an_active_process_cannot_go_on_as_a_circle(group_process, members):
    with pytest.raises(DomainError, match="has ended"):
        services.start_circle(members[0], group_process, "Too early")
    db.session.rollback()
    assert _count(CovisionCircle) == 0


def test_the_rotation_moves_hosts_across_organisations_then_members(
    circle, members, venue, plan_input, now
):
    made = services.plan_meetings(members[0], circle, plan_input(venue, count=4), now)
    db.session.commit()
    hosts = [m.host.name for m in made]
    # the city's two members and the guest organisation's one: organisations alternate
    assert hosts == ["Anna Aalto", "Cecilia Carlsson", "Bertta Berg", "Cecilia Carlsson"]
    # the next series counts the meetings hosted before
    more = services.plan_meetings(members[1], circle, plan_input(venue, count=2, days=200), now)
    assert [m.host.name for m in more] == ["Anna Aalto", "Cecilia Carlsson"]


def test_each_member_gets_a_calendar_invitation_without_the_topic(
    circle, members, venue, plan_input, now
):
    (meeting,) = services.plan_meetings(members[0], circle, plan_input(venue, count=1), now)
    services.set_topic(meeting.host, meeting, "Lasten hoitoajat")
    db.session.commit()
    mails = db.session.scalars(
        select(MailMessage).where(MailMessage.kind == "circle_meeting")
    ).all()
    assert sorted(m.to_address for m in mails) == [
        "anna@lahti.fi",
        "bertta@lahti.fi",
        "cecilia@hollola.fi",
    ]
    for mail in mails:
        assert "METHOD:REQUEST" in mail.ics and "Kolgan kartano" in mail.ics
        assert "Kolgan kartano" in mail.body_text and "Porraton" in mail.body_text
        assert "Lasten hoitoajat" not in mail.body_text + mail.ics


def test_a_circle_without_members_plans_nothing(circle, members, venue, plan_input, now):
    for member in members:
        services.leave_circle(member, circle, now)
    db.session.commit()
    with pytest.raises(DomainError, match="no members"):
        services.plan_meetings(members[0], circle, plan_input(venue), now)
    db.session.rollback()
    assert _count(CircleMeeting) == 0


def test_a_meeting_needs_a_venue_or_a_video_link_and_a_future_time(
    circle, members, plan_input, now
):
    data = plan_input(None)
    with pytest.raises(DomainError, match="venue or give a video"):
        services.plan_meetings(
            members[0], circle, type(data)(**{**data.__dict__, "video_url": ""}), now
        )
    with pytest.raises(DomainError, match="future"):
        services.plan_meetings(members[0], circle, plan_input(None, days=-3), now)
    db.session.rollback()
    assert _count(CircleMeeting) == 0


def test_a_host_who_is_not_a_member_is_refused(circle, members, venue, plan_input, now, make_user):
    (meeting,) = services.plan_meetings(members[0], circle, plan_input(venue, count=1), now)
    db.session.commit()
    outsider = make_user()
    with pytest.raises(DomainError, match="must be a member"):
        services.set_host(members[1], meeting, outsider.id)
    db.session.rollback()
    assert db.session.get(CircleMeeting, meeting.id).host_id == members[0].id
    services.set_host(members[1], meeting, members[1].id)
    db.session.commit()
    assert meeting.host_id == members[1].id
    changed = db.session.scalars(
        select(MailMessage).where(MailMessage.kind == "circle_meeting_changed")
    ).all()
    assert len(changed) == 3  # every member gets the new version of the invitation
    assert all("SEQUENCE:1" in m.ics and "Host: Bertta Berg" in m.body_text for m in changed)


def test_only_the_host_proposes_the_topic_and_keeps_the_attendance(
    circle, members, venue, plan_input, now
):
    (meeting,) = services.plan_meetings(members[0], circle, plan_input(venue, count=1), now)
    db.session.commit()
    with pytest.raises(NotPermitted):
        services.set_topic(members[1], meeting, "Not mine to propose")
    with pytest.raises(DomainError, match="once the meeting has begun"):
        services.record_attendance(members[0], meeting, {members[1].id}, now)
    later = meeting.starts_at + timedelta(minutes=5)
    with pytest.raises(NotPermitted):
        services.record_attendance(members[1], meeting, {members[1].id}, later)
    services.record_attendance(members[0], meeting, {members[0].id, members[2].id}, later)
    db.session.commit()
    assert meeting.state == MeetingState.HELD
    assert {a.user.name: a.attended for a in meeting.attendance} == {
        "Anna Aalto": True,
        "Bertta Berg": False,
        "Cecilia Carlsson": True,
    }


def test_a_circle_uses_no_quota_no_money_and_stores_no_notes(
    circle, members, venue, plan_input, now, closed_process
):
    before = [account_for(m.id, closed_process.school_year).state() for m in members]
    (meeting,) = services.plan_meetings(members[0], circle, plan_input(venue, count=1), now)
    services.record_attendance(
        members[0], meeting, {m.id for m in members}, meeting.starts_at + timedelta(minutes=1)
    )
    db.session.commit()
    after = [account_for(m.id, closed_process.school_year).state() for m in members]
    assert before == after
    assert _count(SessionCost) == 0
    columns = {c.key for c in inspect(CircleMeeting).columns}
    assert not columns & {"notes", "case", "case_notes", "content", "summary"}


def test_a_member_who_leaves_hands_their_coming_turns_on(circle, members, venue, plan_input, now):
    made = services.plan_meetings(members[0], circle, plan_input(venue, count=3), now)
    db.session.commit()
    assert made[1].host_id == members[2].id
    last_mail = db.session.scalar(select(func.max(MailMessage.id)))
    services.leave_circle(members[2], circle, now)
    db.session.commit()
    assert members[2].id not in {m.host_id for m in made}
    assert made[1].host_id in {members[0].id, members[1].id} and made[1].ical_sequence == 1
    assert circle.row_of(members[2]).state == MemberState.LEFT
    changed = db.session.scalars(
        select(MailMessage.to_address).where(MailMessage.id > last_mail)
    ).all()
    assert sorted(changed) == ["anna@lahti.fi", "bertta@lahti.fi"]

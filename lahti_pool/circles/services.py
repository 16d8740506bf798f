"""Covision circles: start from a closed group process, join, leave, plan meetings with a
fair rotation of hosts, set the topic, keep the attendance.

No quota, no money, no supervisor; no content beyond the topic's short title. Services
take the acting user, flush, and never commit.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.circles import rules
from lahti_pool.circles.mails import notify_circle_invitation, notify_meeting
from lahti_pool.circles.models import (
    CircleAttendance,
    CircleMeeting,
    CircleMember,
    CovisionCircle,
    MeetingState,
    MemberState,
)
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, NotPermitted
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Venue
from lahti_pool.organisation.orgs import organisation_ids
from lahti_pool.organisation.rotation import fair_rotation
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions import processes
from lahti_pool.sessions.models import ProcessStatus, SupervisionProcess
from lahti_pool.sessions.rules import local_to_utc


def circle_of(process: SupervisionProcess) -> CovisionCircle | None:
    return db.session.scalar(select(CovisionCircle).where(CovisionCircle.process_id == process.id))


def can_start(user: User, process: SupervisionProcess) -> bool:
    """A member of a closed group process with no circle yet."""
    return (
        process.kind == RequestKind.GROUP
        and process.status == ProcessStatus.CLOSED
        and processes.is_client_of(user, process)
        and circle_of(process) is None
    )


def start_circle(actor: User, process: SupervisionProcess, name: str) -> CovisionCircle:
    """The actor starts a circle and joins it; the process's other members are invited."""
    if not processes.is_client_of(actor, process) or process.kind != RequestKind.GROUP:
        raise NotPermitted(N_("Only a member of the group can start its circle."))
    if process.status != ProcessStatus.CLOSED:
        raise DomainError(N_("A circle goes on from a process that has ended."))
    if circle_of(process) is not None:
        raise DomainError(N_("This group already has a circle."))
    name = " ".join(name.split())
    if not name:
        raise DomainError(N_("Give the circle a name."), field="name")
    circle = CovisionCircle(name=name[:200], process_id=process.id, started_by_id=actor.id)
    circle.members.append(CircleMember(user_id=actor.id, state=MemberState.JOINED))
    others = [m.user for m in process.members if m.user_id != actor.id and m.user.is_active]
    for user in others:
        circle.members.append(CircleMember(user_id=user.id, state=MemberState.INVITED))
    db.session.add(circle)
    db.session.flush()
    for user in others:
        notify_circle_invitation(circle, user, actor)
    audit.record(actor, "circle.started", circle, members=len(others) + 1)
    return circle


def join_circle(actor: User, circle: CovisionCircle) -> None:
    row = circle.row_of(actor)
    if row is None or row.state != MemberState.INVITED:
        raise DomainError(N_("You have no open invitation to this circle."))
    row.state = MemberState.JOINED
    audit.record(actor, "circle.joined", circle)
    db.session.flush()


def leave_circle(actor: User, circle: CovisionCircle, now: datetime) -> None:
    """The actor leaves (or declines the invitation). Coming meetings they were to host
    go to the remaining members in turn; with nobody left, they are cancelled."""
    row = circle.row_of(actor)
    if row is None or row.state == MemberState.LEFT:
        raise DomainError(N_("You are not a member of this circle."))
    row.state = MemberState.LEFT
    coming = [
        m
        for m in circle.meetings
        if m.state == MeetingState.PLANNED and m.starts_at > now and m.host_id == actor.id
    ]
    if coming:
        hosts = fair_rotation(_candidates(circle), len(coming), _hosted(circle))
        for meeting, host in zip(coming, hosts or [None] * len(coming), strict=True):
            meeting.ical_sequence += 1
            if host is None:
                meeting.state = MeetingState.CANCELLED
            else:
                meeting.host_id = host
        db.session.flush()
        for meeting in coming:
            notify_meeting(
                meeting, "CANCEL" if meeting.state == MeetingState.CANCELLED else "REQUEST"
            )
    audit.record(actor, "circle.left", circle)
    db.session.flush()


def _candidates(circle: CovisionCircle) -> list[tuple[int, int | None]]:
    """The members in the order they came (ties go that way), with their organisation."""
    ids = [m.user_id for m in circle.joined]
    orgs = organisation_ids(ids)
    return [(user_id, orgs.get(user_id)) for user_id in ids]


def _hosted(circle: CovisionCircle) -> dict[int, int]:
    counts: dict[int, int] = {}
    for meeting in circle.meetings:
        if meeting.state != MeetingState.CANCELLED:
            counts[meeting.host_id] = counts.get(meeting.host_id, 0) + 1
    return counts


@dataclass(frozen=True)
class PlanInput:
    first_day: date
    at: time
    count: int
    every_weeks: int
    duration_minutes: int
    venue_id: int | None
    video_url: str = ""


def _check_member(actor: User, circle: CovisionCircle) -> None:
    if not circle.is_member(actor):
        raise NotPermitted(N_("Only the circle's members can do this."))


def plan_meetings(
    actor: User, circle: CovisionCircle, data: PlanInput, now: datetime
) -> list[CircleMeeting]:
    """Plan a series of meetings; the rotation names each one's host (across the members'
    organisations first, counting the meetings hosted before). Each member is invited."""
    rules.check_members(circle.member_ids)  # first: an empty circle says so to anybody
    _check_member(actor, circle)
    rules.check_place(data.venue_id, data.video_url)
    if data.venue_id is not None:
        venue = db.session.get(Venue, data.venue_id)
        if venue is None or not venue.is_active:
            raise DomainError(N_("Choose a venue from the list."), field="venue")
    days = rules.meeting_days(data.first_day, data.count, data.every_weeks)
    starts = [local_to_utc(day, data.at) for day in days]
    rules.check_future(starts[0], now)
    taken = {m.starts_at for m in circle.meetings if m.state != MeetingState.CANCELLED}
    if taken.intersection(starts):
        raise DomainError(N_("The circle already meets at that time."), field="on_date")
    hosts = fair_rotation(_candidates(circle), len(starts), _hosted(circle))
    made = []
    for starts_at, host_id in zip(starts, hosts, strict=True):
        meeting = CircleMeeting(
            starts_at=starts_at,
            duration_minutes=data.duration_minutes,
            host_id=host_id,
            venue_id=data.venue_id,
            video_url=data.video_url,
        )
        circle.meetings.append(meeting)
        made.append(meeting)
    db.session.flush()
    for meeting in made:
        notify_meeting(meeting, "REQUEST")
    audit.record(actor, "circle.meetings_planned", circle, count=len(made))
    return made


def set_host(actor: User, meeting: CircleMeeting, host_id: int) -> None:
    """Another member hosts this meeting (members swap turns among themselves)."""
    circle = meeting.circle
    _check_member(actor, circle)
    rules.check_members(circle.member_ids)
    rules.check_host(host_id, circle.member_ids)
    if meeting.state != MeetingState.PLANNED:
        raise DomainError(N_("Only a coming meeting can change its host."), field="host")
    if meeting.host_id == host_id:
        return
    meeting.host_id = host_id
    meeting.ical_sequence += 1
    audit.record(actor, "circle.host_changed", circle, meeting_id=meeting.id)
    db.session.flush()
    db.session.refresh(meeting, ["host"])
    notify_meeting(meeting, "REQUEST", changed=True)


def set_topic(actor: User, meeting: CircleMeeting, topic: str) -> None:
    """The host proposes the topic: a short title, nothing of the case itself."""
    if actor.id != meeting.host_id or not meeting.circle.is_member(actor):
        raise NotPermitted(N_("The host proposes the topic."))
    if meeting.state == MeetingState.CANCELLED:
        raise DomainError(N_("This meeting is cancelled."), field="topic")
    meeting.topic = rules.check_topic(topic)
    db.session.flush()


def record_attendance(
    actor: User, meeting: CircleMeeting, attendee_ids: set[int], now: datetime
) -> None:
    """The host keeps the attendance once the meeting has begun; the meeting is held."""
    circle = meeting.circle
    if actor.id != meeting.host_id or not circle.is_member(actor):
        raise NotPermitted(N_("The host keeps the attendance."))
    if meeting.state == MeetingState.CANCELLED:
        raise DomainError(N_("This meeting is cancelled."))
    if meeting.starts_at > now:
        raise DomainError(N_("The attendance is kept once the meeting has begun."))
    members = circle.member_ids | {a.user_id for a in meeting.attendance}
    if not attendee_ids <= members:
        raise DomainError(N_("Only the circle's members can attend."), field="attendees")
    meeting.attendance.clear()
    db.session.flush()
    for user_id in sorted(members):
        meeting.attendance.append(
            CircleAttendance(user_id=user_id, attended=user_id in attendee_ids)
        )
    meeting.state = MeetingState.HELD
    audit.record(actor, "circle.attendance", circle, meeting_id=meeting.id)
    db.session.flush()


def my_circles(user: User) -> list[CovisionCircle]:
    """The circles the user belongs to or is invited to."""
    return list(
        db.session.scalars(
            select(CovisionCircle)
            .join(CircleMember)
            .where(CircleMember.user_id == user.id, CircleMember.state != MemberState.LEFT)
            .order_by(CovisionCircle.name)
        )
    )

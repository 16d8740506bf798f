"""Sessions in calendars: invitations (RFC 5545) and each user's private feed.

What an event says, decided once for invitations and feeds alike:

- SUMMARY: "Work supervision" in the recipient's language; a client also sees the
  supervisor's name (they know it, and it is public in the presentations); the
  supervisor sees the process's pseudonymous reference, never a client's name, because a
  contracted supervisor's calendar is hosted outside the city. Covision says "Covision".
- LOCATION: the place (a room, the venue's name and address, or the video link:
  logistics only, sessions/logistics.py); URL: the video link, else the process page.
- DESCRIPTION: the venue (name, address, accessibility note) and a link to the process
  page in the app; never goals, answers or topics.
- ATTENDEE: the recipient alone, so a group member's calendar does not list colleagues.
- UID ``session-<id>@<domain>`` is stable; SEQUENCE is ``ical_sequence``, raised by the
  sessions feature on every change, so calendars replace the earlier version.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, exists, false, or_, select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import ical
from lahti_pool.core.mailer import absolute_url, mail_domain
from lahti_pool.extensions import db
from lahti_pool.sessions.logistics import meeting_of, venue_of, video_url_of
from lahti_pool.sessions.models import (
    ProcessMember,
    SessionAttendance,
    SessionStatus,
    SupervisionProcess,
    SupervisionSession,
)
from lahti_pool.supervisors.models import Supervisor


def session_uid(sup_session) -> str:
    return f"session-{sup_session.id}@{mail_domain()}"


def session_clients(sup_session) -> list[User]:
    """The clients a session is for: its attendance rows, or else all process members."""
    if sup_session.attendance:
        return [a.user for a in sup_session.attendance]
    return [m.user for m in sup_session.process.members]


def _summary(sup_session, user: User) -> str:
    if sup_session.is_covision:
        return _("Covision")
    supervisor = sup_session.process.supervisor
    if supervisor.user_id == user.id:
        return _("Work supervision %(reference)s", reference=sup_session.process.reference)
    return _("Work supervision with %(supervisor)s", supervisor=supervisor.name)


def _venue_lines(sup_session) -> str:
    """The venue's name, address and accessibility note, a line each (logistics only)."""
    venue = venue_of(sup_session)
    if venue is None or video_url_of(sup_session):
        return ""
    lines = [_("Venue: %(name)s", name=venue.name)]
    if venue.address:
        lines.append(_("Address: %(address)s", address=venue.address))
    if venue.accessibility_note:
        lines.append(_("Accessibility: %(note)s", note=venue.accessibility_note))
    return "\n".join(lines) + "\n"


def session_event(sup_session, user: User, cancelled: bool = False):
    """The VEVENT of a session as ``user`` sees it (call inside the user's locale)."""
    link = absolute_url("sessions.process_detail", process_id=sup_session.process_id)
    meeting = meeting_of(sup_session)
    return ical.event(
        ical.EventData(
            uid=session_uid(sup_session),
            sequence=sup_session.ical_sequence,
            starts_at=sup_session.starts_at,
            minutes=sup_session.duration_minutes,
            summary=_summary(sup_session, user),
            location=meeting.location,
            # a video session's URL is where to join; the description keeps the app's page
            link=meeting.video_url or link,
            description=_venue_lines(sup_session)
            + _("Details in the supervision pool: %(link)s", link=link),
            organizer_email=current_app.config["MAIL_DEFAULT_SENDER"],
            organizer_name=_("Lahti supervision pool"),
            attendee_email=user.email,
            attendee_name=user.name,
            cancelled=cancelled,
        )
    )


def session_ics(sup_session, user: User, method: str = "REQUEST") -> str:
    """An invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL) for ``user``."""
    cal = ical.calendar(method)
    cal.add_component(session_event(sup_session, user, cancelled=method == "CANCEL"))
    return ical.to_text(cal)


def upcoming_sessions(user: User, now: datetime) -> list:
    """Planned sessions from a day ago on where ``user`` is a client or the supervisor."""
    has_attendance = exists().where(SessionAttendance.session_id == SupervisionSession.id)
    attends = SupervisionSession.id.in_(
        select(SessionAttendance.session_id).where(SessionAttendance.user_id == user.id)
    )
    member = SupervisionSession.process_id.in_(
        select(ProcessMember.process_id).where(ProcessMember.user_id == user.id)
    )
    # A former supervisor (the role taken away) no longer gets their clients' sessions.
    supervises = (
        and_(Supervisor.user_id == user.id, ~SupervisionSession.is_covision)
        if user.has_role(Role.SUPERVISOR)
        else false()
    )
    return db.session.scalars(
        select(SupervisionSession)
        .join(SupervisionProcess)
        .join(Supervisor)
        .where(
            SupervisionSession.status == SessionStatus.PLANNED,
            SupervisionSession.starts_at >= now - timedelta(days=1),
            or_(
                supervises,
                attends,
                and_(~has_attendance, member),
            ),
        )
        .order_by(SupervisionSession.starts_at)
    ).all()


def feed_ics(user: User, now: datetime) -> str:
    """The user's calendar feed: their upcoming sessions, nothing confidential."""
    cal = ical.calendar(name=_("Work supervision"))
    for sup_session in upcoming_sessions(user, now):
        cal.add_component(session_event(sup_session, user))
    return ical.to_text(cal)

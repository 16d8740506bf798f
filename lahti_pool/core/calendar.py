"""Calendar invitations (RFC 5545) and each user's private calendar feed.

What an event says, decided once for invitations and feeds alike:

- SUMMARY: "Work supervision" in the recipient's language; a client also sees the
  supervisor's name (they know it, and it is public in the presentations); the
  supervisor sees the process's pseudonymous reference, never a client's name, because a
  contracted supervisor's calendar is hosted outside the city. Covision says "Covision".
- LOCATION: the place (a room or a video link: logistics only).
- DESCRIPTION: a link to the process page in the app; never goals, answers or topics.
- ATTENDEE: the recipient alone, so a group member's calendar does not list colleagues.
- UID ``session-<id>@<domain>`` is stable; SEQUENCE is ``ical_sequence``, raised by the
  sessions feature on every change, so calendars replace the earlier version.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, exists, false, or_, select

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit
from lahti_pool.extensions import db

if TYPE_CHECKING:
    from icalendar import Calendar, Event

PRODID = "-//City of Lahti//Lahti Pool//EN"


def session_uid(sup_session) -> str:
    from lahti_pool.core.mailer import mail_domain

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


def session_event(sup_session, user: User, cancelled: bool = False) -> Event:
    """The VEVENT of a session as ``user`` sees it (call inside the user's locale)."""
    from icalendar import Event, vCalAddress  # loaded when used, not in every worker

    from lahti_pool.core.mailer import absolute_url

    event = Event()
    event.add("uid", session_uid(sup_session))
    event.add("sequence", sup_session.ical_sequence)
    event.add("dtstamp", datetime.now(UTC))
    starts_at = sup_session.starts_at.astimezone(UTC)
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + timedelta(minutes=sup_session.duration_minutes))
    event.add("summary", _summary(sup_session, user))
    if sup_session.place:
        event.add("location", sup_session.place)
    link = absolute_url("sessions.process_detail", process_id=sup_session.process_id)
    event.add("description", _("Details in the supervision pool: %(link)s", link=link))
    event.add("url", link)
    organizer = vCalAddress(f"mailto:{current_app.config['MAIL_DEFAULT_SENDER']}")
    organizer.params["cn"] = _("Lahti supervision pool")
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{user.email}")
    attendee.params["cn"] = user.name
    attendee.params["role"] = "REQ-PARTICIPANT"
    event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _calendar(method: str = "") -> Calendar:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    return cal


def session_ics(sup_session, user: User, method: str = "REQUEST") -> str:
    """An invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL) for ``user``."""
    cal = _calendar(method)
    cal.add_component(session_event(sup_session, user, cancelled=method == "CANCEL"))
    return cal.to_ical().decode("utf-8")


def upcoming_sessions(user: User, now: datetime) -> list:
    """Planned sessions from a day ago on where ``user`` is a client or the supervisor."""
    from lahti_pool.sessions.models import (
        ProcessMember,
        SessionAttendance,
        SessionStatus,
        SupervisionProcess,
        SupervisionSession,
    )
    from lahti_pool.supervisors.models import Supervisor

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
    cal = _calendar()
    cal.add("x-wr-calname", _("Work supervision"))
    for sup_session in upcoming_sessions(user, now):
        cal.add_component(session_event(sup_session, user))
    return cal.to_ical().decode("utf-8")


def user_for_token(token: str) -> User | None:
    """The active user whose feed token this is; None for an unknown or revoked token."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    if (
        user is None
        or not user.is_active_account
        or not secrets.compare_digest(user.calendar_token, token)
    ):
        return None
    return user


def renew_calendar_token(user: User) -> str:
    """Make a new feed URL secret; the old URL stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    audit.record(user, "calendar.token_created", user)
    return user.calendar_token


def revoke_calendar_token(user: User) -> None:
    """Turn the feed off: every URL made so far stops working."""
    user.calendar_token = None
    audit.record(user, "calendar.token_revoked", user)

"""The sessions feature's e-mails: a process accepted, sessions planned, changed, cancelled."""

from datetime import timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from lahti_pool.accounts.models import User
from lahti_pool.core.mailer import absolute_url, active, queue_mail, recipient_locale
from lahti_pool.sessions.calendar import session_clients, session_ics
from lahti_pool.sessions.logistics import meeting_of, venue_of


def notify_process_accepted(process) -> None:
    """To each client and to the supervisor, when a process was accepted."""
    link = absolute_url("sessions.process_detail", process_id=process.id)
    supervisor = process.supervisor
    for user in active(m.user for m in process.members):
        queue_mail(
            user,
            "process_accepted",
            "sessions/process_accepted_client",
            _l("Your supervisor has been chosen"),
            supervisor_name=supervisor.name,
            sessions=process.sessions_granted,
            link=link,
        )
    for user in active([supervisor.user]):
        # No client names: a contracted supervisor's mailbox is outside the city.
        queue_mail(
            user,
            "process_accepted",
            "sessions/process_accepted_supervisor",
            _l("You have a new supervision process"),
            process=process,
            clients=len(process.members),
            sessions=process.sessions_granted,
            link=link,
        )


def session_recipients(sup_session) -> list[User]:
    """Who a session concerns: its clients, and the supervisor unless it is covision."""
    users = list(session_clients(sup_session))
    if not sup_session.is_covision:
        users.append(sup_session.process.supervisor.user)
    return active(users)


def _notify_session(sup_session, kind: str, subject, method: str) -> None:
    link = absolute_url("sessions.process_detail", process_id=sup_session.process_id)
    for user in session_recipients(sup_session):
        with force_locale(recipient_locale(user)):
            ics = session_ics(sup_session, user, method=method)
        queue_mail(
            user,
            kind,
            f"sessions/{kind}",
            subject,
            ics=ics,
            ics_method=method,
            sup_session=sup_session,
            **session_context(sup_session, user),
            link=link,
        )


def session_context(sup_session, user: User) -> dict:
    supervisor = sup_session.process.supervisor
    meeting = meeting_of(sup_session)
    venue = venue_of(sup_session)
    is_supervisor = supervisor.user_id == user.id
    return {
        "venue": venue,
        # members know each other; the supervisor's mailbox gets no client's name
        "host_name": sup_session.host.name if sup_session.host and not is_supervisor else "",
        "starts_at": sup_session.starts_at,
        "ends_at": sup_session.starts_at + timedelta(minutes=sup_session.duration_minutes),
        "mode": sup_session.mode,
        "place": "" if meeting.video_url else meeting.location,
        "video_url": meeting.video_url,
        # The client learns their supervisor's name; the supervisor gets a reference only.
        "supervisor_name": "" if supervisor.user_id == user.id else supervisor.name,
        "reference": sup_session.process.reference if supervisor.user_id == user.id else "",
    }


def notify_session_planned(sup_session) -> None:
    """To the clients and the supervisor, with a calendar invitation (METHOD:REQUEST)."""
    _notify_session(sup_session, "session_planned", _l("Supervision session planned"), "REQUEST")


def notify_session_changed(sup_session) -> None:
    """After a time, place or mode change. Raise ``ical_sequence`` before calling."""
    _notify_session(sup_session, "session_changed", _l("Supervision session changed"), "REQUEST")


def notify_session_cancelled(sup_session) -> None:
    """After a cancellation (METHOD:CANCEL). Raise ``ical_sequence`` before calling."""
    _notify_session(sup_session, "session_cancelled", _l("Supervision session cancelled"), "CANCEL")


def session_link(sup_session) -> str:
    if sup_session is None:
        return absolute_url("accounts.index")
    return absolute_url("sessions.process_detail", process_id=sup_session.process_id)

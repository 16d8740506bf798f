"""The sessions feature's daily job: tomorrow's reminders."""

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lahti_pool.core.jobs import daily_job
from lahti_pool.core.mailer import absolute_url, mail_domain, queue_mail
from lahti_pool.extensions import db
from lahti_pool.sessions.mails import session_context, session_recipients
from lahti_pool.sessions.models import SessionStatus, SupervisionSession


@daily_job("reminders", "Queued {n} reminders.")
def queue_reminders(today: date, now: datetime) -> int:
    """A reminder to each client and the supervisor of every session planned for tomorrow."""
    sessions = db.session.scalars(
        select(SupervisionSession)
        .where(
            SupervisionSession.status == SessionStatus.PLANNED,
            SupervisionSession.on_date == today + timedelta(days=1),
        )
        .order_by(SupervisionSession.starts_at, SupervisionSession.id)
    ).all()
    queued = 0
    for sup_session in sessions:
        link = absolute_url("sessions.process_detail", process_id=sup_session.process_id)
        for user in session_recipients(sup_session):
            # One per session, version and person: a moved session is reminded of again.
            message_id = (
                f"<reminder-{sup_session.id}-{sup_session.ical_sequence}-{user.id}@{mail_domain()}>"
            )
            message = queue_mail(
                user,
                "reminder",
                "sessions/reminder",
                _l("Reminder: supervision session tomorrow"),
                message_id=message_id,
                **session_context(sup_session, user),
                link=link,
            )
            queued += message is not None
    return queued

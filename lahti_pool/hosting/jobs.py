"""The hosting feature's daily job: the hosts' reminders, a week ahead."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from lahti_pool.core.jobs import daily_job
from lahti_pool.extensions import db
from lahti_pool.hosting.mails import queue_host_reminder
from lahti_pool.sessions.models import SessionStatus, SupervisionSession

#: how many days ahead a host is reminded of the arrangements
REMINDER_DAYS = 7


@daily_job("host_reminders", "Queued {n} reminders to hosts.")
def queue_host_reminders(today: date, now: datetime) -> int:
    """A reminder to the host of each group session planned in the coming week; once per
    session and host (a deterministic Message-ID), so a later run sends no second one."""
    sessions = db.session.scalars(
        select(SupervisionSession)
        .where(
            SupervisionSession.status == SessionStatus.PLANNED,
            SupervisionSession.host_user_id.is_not(None),
            SupervisionSession.on_date > today,
            SupervisionSession.on_date <= today + timedelta(days=REMINDER_DAYS),
        )
        .order_by(SupervisionSession.starts_at, SupervisionSession.id)
    ).all()
    return sum(queue_host_reminder(s) for s in sessions)

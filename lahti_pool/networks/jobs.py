"""The peer networks' daily job: tomorrow's event reminders."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from lahti_pool.core.jobs import daily_job
from lahti_pool.extensions import db
from lahti_pool.networks.mails import reminder_mail
from lahti_pool.networks.models import EventRegistration, NetworkEvent, RegistrationStatus
from lahti_pool.sessions.rules import local_date, local_to_utc


@daily_job("network_reminders", "Queued {n} network event reminders.")
def queue_event_reminders(today: date, now: datetime) -> int:
    """A reminder to each person registered for an event on the pool's next local day."""
    tomorrow = today + timedelta(days=1)
    start = local_to_utc(tomorrow, datetime.min.time())
    end = local_to_utc(tomorrow + timedelta(days=1), datetime.min.time())
    rows = db.session.scalars(
        select(EventRegistration)
        .join(NetworkEvent)
        .where(
            EventRegistration.status == RegistrationStatus.REGISTERED,
            NetworkEvent.starts_at >= start,
            NetworkEvent.starts_at < end,
        )
        .order_by(NetworkEvent.starts_at, EventRegistration.id)
    ).all()
    queued = 0
    for row in rows:
        if local_date(row.event.starts_at) == tomorrow and reminder_mail(row) is not None:
            queued += 1
    return queued

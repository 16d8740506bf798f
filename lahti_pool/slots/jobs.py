"""The on-duty slots' daily job: the weekly digest of free slots (Vantaa: staff forget
the service exists)."""

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from lahti_pool.accounts.models import Role, User, UserRole
from lahti_pool.core.jobs import daily_job
from lahti_pool.core.mailer import absolute_url, active, mail_domain, queue_mail
from lahti_pool.extensions import db
from lahti_pool.requests.models import QuotaAccount, SchoolYear
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.supervisors.models import Supervisor


def free_slots(now: datetime, days: int = 7) -> list:
    """Open on-duty slots in the coming ``days`` that nobody holds an offer on."""
    return db.session.scalars(
        select(OnDutySlot)
        .join(Supervisor)
        .where(
            OnDutySlot.status == SlotStatus.OPEN,
            OnDutySlot.starts_at >= now,
            OnDutySlot.starts_at < now + timedelta(days=days),
            Supervisor.active.is_(True),
            or_(OnDutySlot.offered_to_id.is_(None), OnDutySlot.offer_expires_at < now),
        )
        .order_by(OnDutySlot.starts_at, OnDutySlot.id)
    ).all()


def digest_recipients(today: date) -> list[User]:
    """Active staff who want the digest and have sessions left this school year."""
    year = db.session.scalar(
        select(SchoolYear).where(SchoolYear.starts_on <= today, SchoolYear.ends_on >= today)
    )
    query = (
        select(User)
        .join(UserRole)
        .where(
            UserRole.role == Role.STAFF,
            User.is_active_account.is_(True),
            User.weekly_digest.is_(True),
        )
        .order_by(User.id)
    )
    if year is None:
        if current_app.config["DEFAULT_QUOTA"] <= 0:
            return []
    else:
        # Without an account row a person still has the whole year's quota.
        available = func.coalesce(
            QuotaAccount.quota - QuotaAccount.used - QuotaAccount.reserved - QuotaAccount.pending,
            year.quota,
        )
        query = query.outerjoin(
            QuotaAccount,
            (QuotaAccount.user_id == User.id) & (QuotaAccount.school_year_id == year.id),
        ).where(available > 0)
    return active(db.session.scalars(query).all())


@daily_job("digests", "Queued {n} weekly on-duty digests.")
def queue_weekly_digest(today: date, now: datetime) -> int:
    """Once per ISO week: the free on-duty slots of the coming week, to staff with quota left.

    The first daily run of a week sends it (normally Monday's); nothing is sent in a
    week without free slots.
    """
    slots = free_slots(now)
    if not slots:
        return 0
    iso_year, week, _weekday = today.isocalendar()
    rows = [
        {
            "starts_at": slot.starts_at,
            "ends_at": slot.starts_at + timedelta(minutes=slot.duration_minutes),
            "mode": slot.mode,
            "supervisor_name": slot.supervisor.name,
        }
        for slot in slots
    ]
    link = absolute_url("slots.browse")
    queued = 0
    for user in digest_recipients(today):
        message = queue_mail(
            user,
            "weekly_digest",
            "sessions/weekly_digest",
            _l("Free on-duty supervision times this week"),
            message_id=f"<digest-{iso_year}-w{week:02d}-{user.id}@{mail_domain()}>",
            slots=rows,
            link=link,
        )
        queued += message is not None
    return queued

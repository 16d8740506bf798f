"""The nudges' daily jobs: the start-of-year message and the same day's free on-duty slots
(Vantaa: slots went unused because staff forgot the service exists)."""

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lahti_pool.accounts.models import Role, User, UserRole
from lahti_pool.core.jobs import daily_job
from lahti_pool.core.mailer import absolute_url
from lahti_pool.extensions import db
from lahti_pool.nudges.models import NudgeKind
from lahti_pool.nudges.services import limit_conditions, send_nudge
from lahti_pool.requests.models import QuotaAccount, SchoolYear
from lahti_pool.sessions.rules import local_date
from lahti_pool.slots.jobs import free_slots


def _recipients(year: SchoolYear, kind: NudgeKind, key: str, now: datetime) -> list:
    """(user, sessions available) of the active staff with sessions left who may be sent
    this nudge now (its limits: nudges/services.py)."""
    available = func.coalesce(
        QuotaAccount.quota - QuotaAccount.used - QuotaAccount.reserved - QuotaAccount.pending,
        year.quota,
    )
    query = (
        select(User, available)
        .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == Role.STAFF))
        .outerjoin(
            QuotaAccount,
            (QuotaAccount.user_id == User.id) & (QuotaAccount.school_year_id == year.id),
        )
        .where(User.is_active_account.is_(True), available > 0, *limit_conditions(kind, key, now))
        .order_by(User.id)
    )
    return db.session.execute(query).all()


def _current_year(today: date) -> SchoolYear | None:
    return db.session.scalar(
        select(SchoolYear).where(SchoolYear.starts_on <= today, SchoolYear.ends_on >= today)
    )


@daily_job("nudges_year_start", "Queued {n} start-of-year messages.")
def queue_year_start(today: date, now: datetime) -> int:
    """In the first ``YEAR_START_NUDGE_DAYS`` of a school year: "your sessions are
    available", once a year to each staff member with sessions left who has not opted out.
    Whoever is at the frequency limit today gets it on a later day of the window."""
    year = _current_year(today)
    window = timedelta(days=current_app.config["YEAR_START_NUDGE_DAYS"])
    if year is None or today >= year.starts_on + window:
        return 0
    key = f"year-{year.id}"
    link = absolute_url("requests.dashboard")
    sent = 0
    for user, available in _recipients(year, NudgeKind.YEAR_START, key, now):
        sent += send_nudge(
            user,
            NudgeKind.YEAR_START,
            key,
            now,
            "nudges/year_start",
            _l("Your supervision sessions for this school year are available"),
            sessions=available,
            year_label=year.label,
            link=link,
        )
    return sent


@daily_job("nudges_free_slots", "Queued {n} alerts of today's free on-duty slots.")
def queue_free_slot_alerts(today: date, now: datetime) -> int:
    """Today's free on-duty slots still to come, to the staff who asked for these alerts and
    have sessions left; nothing on a day without free slots."""
    year = _current_year(today)
    slots = [s for s in free_slots(now, days=1) if local_date(s.starts_at) == today]
    if year is None or not slots:
        return 0
    rows = [
        {
            "starts_at": slot.starts_at,
            "ends_at": slot.starts_at + timedelta(minutes=slot.duration_minutes),
            "mode": slot.mode,
            "supervisor_name": slot.supervisor.name,
        }
        for slot in slots
    ]
    key = f"day-{today.isoformat()}"
    link = absolute_url("slots.browse")
    sent = 0
    for user, _available in _recipients(year, NudgeKind.FREE_SLOTS, key, now):
        sent += send_nudge(
            user,
            NudgeKind.FREE_SLOTS,
            key,
            now,
            "nudges/free_slots",
            _l("Free on-duty supervision times today"),
            slots=rows,
            link=link,
        )
    return sent

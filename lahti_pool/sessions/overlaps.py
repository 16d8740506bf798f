"""A supervisor is in one place at a time: what a new or moved session would overlap.

A booked on-duty slot always has its planned session (slots/services/booking.py), so the
supervisor's sessions are the whole of their booked time. Covision has no supervisor.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from lahti_pool.core.errors import N_, DomainError
from lahti_pool.extensions import db
from lahti_pool.requests.models import RequestKind
from lahti_pool.sessions import rules
from lahti_pool.sessions.models import SessionStatus, SupervisionProcess, SupervisionSession
from lahti_pool.supervisors.models import Supervisor

#: the longest session the schema allows (``duration_range``): how far back to look
LONGEST = timedelta(minutes=480)
#: sessions that hold the supervisor's time (a held one in the past too: it happened)
BUSY = (SessionStatus.PLANNED, SessionStatus.HELD, SessionStatus.NO_SHOW)
#: how many are named in a message
MAX_NAMED = 5


def lock_supervisor(supervisor_id: int) -> None:
    """Order concurrent plans, moves and bookings of one supervisor (PostgreSQL; SQLite
    serialises writers, and the check runs after this transaction's first write)."""
    db.session.execute(
        select(Supervisor.id).where(Supervisor.id == supervisor_id).with_for_update(key_share=True)
    )


def _busy(supervisor_id: int) -> select:
    return (
        select(SupervisionSession)
        .join(SupervisionProcess, SupervisionSession.process_id == SupervisionProcess.id)
        .where(
            SupervisionProcess.supervisor_id == supervisor_id,
            SupervisionSession.is_covision.is_(False),
            SupervisionSession.status.in_(BUSY),
        )
        .order_by(SupervisionSession.starts_at)
    )


def supervisor_clashes(
    supervisor_id: int, starts_at: datetime, minutes: int, but: Iterable[int] = ()
) -> list[SupervisionSession]:
    """The supervisor's sessions (booked slots included) that overlap the given time."""
    ends_at = starts_at + timedelta(minutes=minutes)
    query = _busy(supervisor_id).where(
        SupervisionSession.starts_at > starts_at - LONGEST,
        SupervisionSession.starts_at < ends_at,
    )
    excluded = [i for i in but if i is not None]
    if excluded:
        query = query.where(SupervisionSession.id.not_in(excluded))
    rows = db.session.scalars(query).all()
    return [s for s in rows if s.starts_at + timedelta(minutes=s.duration_minutes) > starts_at]


def sessions_on_days(supervisor_id: int, first: date, last: date) -> list[SupervisionSession]:
    """The supervisor's planned sessions (booked slots included) on these local days."""
    return list(
        db.session.scalars(
            _busy(supervisor_id).where(
                SupervisionSession.status == SessionStatus.PLANNED,
                SupervisionSession.on_date.between(first, last),
            )
        )
    )


def describe(sup_session: SupervisionSession) -> str:
    """ "Mon 14.12.2026 9.00–10.00, on-duty booking P26-000012" (no client names)."""
    ends_at = sup_session.starts_at + timedelta(minutes=sup_session.duration_minutes)
    process = sup_session.process
    if process.kind == RequestKind.ON_DUTY:
        what = _("on-duty booking %(reference)s", reference=process.reference)
    elif process.kind == RequestKind.GROUP:
        what = _("group session %(reference)s", reference=process.reference)
    else:
        what = _("individual session %(reference)s", reference=process.reference)
    when = format_date(rules.local_date(sup_session.starts_at), "short")
    return _(
        "%(day)s %(start)s–%(end)s, %(what)s",
        day=when,
        start=format_datetime(sup_session.starts_at, "H.mm"),
        end=format_datetime(ends_at, "H.mm"),
        what=what,
    )


def listing(sessions: list[SupervisionSession]) -> str:
    named = [describe(s) for s in sessions[:MAX_NAMED]]
    if len(sessions) > MAX_NAMED:
        named.append("…")
    return "; ".join(named)


def refuse_clashes(
    supervisor_id: int,
    starts_at: datetime,
    minutes: int,
    but: Iterable[int] = (),
    field: str | None = "at",
) -> None:
    """Refuse a time that overlaps the supervisor's other sessions, naming them."""
    clashes = supervisor_clashes(supervisor_id, starts_at, minutes, but)
    if clashes:
        raise DomainError(
            N_(
                "The supervisor already has another session at that time: %(sessions)s. "
                "Choose another time."
            ),
            field=field,
            sessions=listing(clashes),
        )

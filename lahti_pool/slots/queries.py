"""On-duty slot utilisation for the administrator and development services, in SQL.

One GROUP BY gives a row per ISO week and supervisor; the page shows them 50 at a time
with the totals of all (``utilisation_totals``), so neither grows with the period.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Date, DateTime, Integer, and_, case, cast, func, literal_column, or_, select

from lahti_pool.accounts.models import User
from lahti_pool.core.models import id_is
from lahti_pool.extensions import db
from lahti_pool.sessions.models import SessionStatus, SupervisionSession
from lahti_pool.slots import rules
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.supervisors.models import Supervisor


@dataclass(frozen=True)
class UtilisationRow:
    week_start: date | None  #: None on the totals row
    supervisor_id: int | None
    supervisor_name: str
    published: int
    booked: int
    held: int
    unused: int

    @property
    def week_label(self) -> str:
        return rules.iso_week_label(self.week_start) if self.week_start else ""

    @property
    def booked_percent(self) -> int:
        return self.booked * 100 // self.published if self.published else 0


def _week_of(column):
    """The Monday of the ISO week of a date column, in the database's own dialect."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(literal_column("'week'"), cast(column, DateTime)), Date)
    weekday = (cast(func.strftime("%w", column), Integer) + 6) % 7  # Monday = 0
    return func.date(column, func.printf("-%d days", weekday))


def _as_date(value) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value)
    return value.date() if isinstance(value, datetime) else value


def unused_clause(now: datetime):
    """An unused slot (the query outer-joins the slot's session): an open slot whose time
    has come, or a booked one whose session ended without being held (no-show, late
    cancellation, or not logged as held)."""
    booked = OnDutySlot.status == SlotStatus.BOOKED
    ended = OnDutySlot.starts_at <= now - timedelta(minutes=rules.SLOT_MINUTES)
    held = and_(booked, SupervisionSession.status == SessionStatus.HELD)
    return or_(
        and_(OnDutySlot.status == SlotStatus.OPEN, OnDutySlot.starts_at <= now),
        and_(booked, ended, or_(SupervisionSession.id.is_(None), ~held)),
    )


def utilisation_query(first: date, last: date, now: datetime, supervisor_id: int | None = None):
    """Published, booked, held and unused slots by ISO week and supervisor (a select of
    grouped rows, for ``utilisation_row`` and pagination).

    Unused: an open slot whose time has come, or a booked one whose session ended
    without being held (no-show, late cancellation, or not logged as held).
    """
    booked = OnDutySlot.status == SlotStatus.BOOKED
    held = and_(booked, SupervisionSession.status == SessionStatus.HELD)
    unused = unused_clause(now)
    week = _week_of(OnDutySlot.on_date)
    query = (
        select(
            week.label("week"),
            OnDutySlot.supervisor_id,
            User.name,
            func.count(OnDutySlot.id).label("published"),
            *(
                func.coalesce(func.sum(case((c, 1), else_=0)), 0).label(name)
                for c, name in ((booked, "booked"), (held, "held"), (unused, "unused"))
            ),
        )
        .select_from(OnDutySlot)
        .join(Supervisor, OnDutySlot.supervisor_id == Supervisor.id)
        .join(User, Supervisor.user_id == User.id)
        .outerjoin(SupervisionSession, OnDutySlot.session_id == SupervisionSession.id)
        .where(OnDutySlot.status != SlotStatus.WITHDRAWN, OnDutySlot.on_date.between(first, last))
        .group_by(week, OnDutySlot.supervisor_id, User.name)
        .order_by(week, OnDutySlot.supervisor_id)
    )
    if supervisor_id:  # an id no row has matches no slot
        query = query.where(id_is(OnDutySlot.supervisor_id, supervisor_id))
    return query


def utilisation_row(row) -> UtilisationRow:
    week, supervisor_id, name, *figures = row
    return UtilisationRow(_as_date(week), supervisor_id, name, *(int(n) for n in figures))


def utilisation_totals(query) -> tuple[int, UtilisationRow]:
    """The number of rows of ``utilisation_query`` and their totals, in one query."""
    rows = query.order_by(None).subquery()
    figures = [rows.c.published, rows.c.booked, rows.c.held, rows.c.unused]
    n, *sums = db.session.execute(
        select(func.count(), *(func.coalesce(func.sum(c), 0) for c in figures))
    ).one()
    return int(n), UtilisationRow(None, None, "", *(int(v) for v in sums))


def utilisation_page(
    query, limit: int, offset: int
) -> tuple[list[UtilisationRow], int, UtilisationRow]:
    """A page of ``utilisation_query``'s rows, how many rows there are and their totals.

    One scan of the slots: window functions over the grouped rows run before the LIMIT,
    so each row of the page carries the count and the sums of all rows.
    """
    grouped = query.order_by(None).subquery()
    figures = [grouped.c.published, grouped.c.booked, grouped.c.held, grouped.c.unused]
    paged = (
        select(grouped, func.count().over(), *(func.sum(c).over() for c in figures))
        .order_by(grouped.c.week, grouped.c.supervisor_id)
        .limit(limit)
        .offset(offset)
    )
    rows = db.session.execute(paged).all()
    if not rows:
        if offset == 0:  # nothing in the period
            return [], 0, UtilisationRow(None, None, "", 0, 0, 0, 0)
        n, totals = utilisation_totals(query)  # a page past the end
        return [], n, totals
    n, *sums = rows[0][-5:]
    totals = UtilisationRow(None, None, "", *(int(v) for v in sums))
    return [utilisation_row(row[:-5]) for row in rows], int(n), totals


def slot_utilisation(
    first: date, last: date, now: datetime, supervisor_id: int | None = None
) -> tuple[list[UtilisationRow], UtilisationRow]:
    """Every row of ``utilisation_query`` and the totals (the page shows them by pages)."""
    query = utilisation_query(first, last, now, supervisor_id)
    _n, totals = utilisation_totals(query)
    return [utilisation_row(row) for row in db.session.execute(query)], totals

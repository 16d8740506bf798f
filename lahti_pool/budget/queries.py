"""Budget figures computed in the database (SUMs over session costs), never row by row."""

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import distinct, func, or_, select

from lahti_pool.accounts.models import User
from lahti_pool.budget import ledger
from lahti_pool.budget.forecast import (
    ChartRow,
    Forecast,
    MonthFigures,
    chart_rows,
    current_month,
    forecast,
)
from lahti_pool.budget.models import Budget, SessionCost
from lahti_pool.budget.rules import Level, budget_level, last_day, percent_used
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Unit
from lahti_pool.requests.models import SchoolYear
from lahti_pool.sessions.models import (
    ApprovalStatus,
    SessionAttendance,
    SupervisionProcess,
    SupervisionSession,
    process_reference,
)
from lahti_pool.supervisors.models import Supervisor


@dataclass(frozen=True)
class Totals:
    """Money of one budget line in a fiscal year, in cents."""

    budget_cents: int | None  #: None when no budget is set
    committed_cents: int  #: planned sessions × frozen price
    spent_cents: int  #: approved billable sessions × frozen price
    warn_percent: int = 80
    #: logged billable sessions not yet approved: owed, so they count as used too
    awaiting_cents: int = 0

    @property
    def used_cents(self) -> int:
        return self.committed_cents + self.awaiting_cents + self.spent_cents

    @property
    def remaining_cents(self) -> int | None:
        return None if self.budget_cents is None else self.budget_cents - self.used_cents


def totals(fiscal_year: int) -> dict[int | None, Totals]:
    """Per division (and None for the pool): budget, committed and spent.

    The budget guard's figures, read afresh under its lock from the ledger the database
    keeps (``budget/ledger.py``): a few rows, not a SUM over the year's sessions.
    """
    return _totals_of(fiscal_year, ledger.usage(fiscal_year))


def _totals_of(fiscal_year: int, money: dict[int, tuple[int, int, int]]) -> dict:
    """Totals per division and for the pool from (committed, spent, awaiting) per division."""
    budgets = {
        b.division_id: b
        for b in db.session.scalars(select(Budget).where(Budget.fiscal_year == fiscal_year))
    }
    result = {}
    for division in set(money) | {k for k in budgets if k is not None}:
        committed, spent, awaiting = money.get(division, (0, 0, 0))
        b = budgets.get(division)
        result[division] = Totals(
            b.amount_cents if b else None,
            committed,
            spent,
            b.warn_percent if b else 80,
            awaiting,
        )
    pool = budgets.get(None)
    result[None] = Totals(
        pool.amount_cents if pool else None,
        sum(c for c, _, _ in money.values()),
        sum(s for _, s, _ in money.values()),
        pool.warn_percent if pool else 80,
        sum(a for _, _, a in money.values()),
    )
    return result


# --- The budget page, the CLI and the approval list --------------------------------


def _costs_in(fiscal_year: int, division_id: int | None):
    query = (
        select()
        .select_from(SessionCost)
        .join(SupervisionSession, SessionCost.session_id == SupervisionSession.id)
        .where(ledger.in_year(fiscal_year))
    )
    if division_id is not None:
        query = query.where(SessionCost.division_id == division_id)
    return query


#: (month, division id) → money of the year in cents, one aggregate over the year
MonthDivisionSums = dict[tuple[int, int], MonthFigures]


def month_division_sums(fiscal_year: int) -> MonthDivisionSums:
    """Spent, awaiting approval and committed per month and division: the budget page's
    one pass over the year's sessions, from which every figure of the page is summed."""
    month = func.extract("month", SupervisionSession.on_date)
    rows = db.session.execute(
        _costs_in(fiscal_year, None)
        .add_columns(
            month,
            SessionCost.division_id,
            ledger.money_in(ledger.SPENT),
            ledger.money_in(ledger.AWAITING),
            ledger.money_in(ledger.COMMITTED),
        )
        .group_by(month, SessionCost.division_id)
    ).all()
    return {(int(m), d): MonthFigures(int(s), int(p), int(c)) for m, d, s, p, c in rows}


def monthly(
    fiscal_year: int, division_id: int | None = None, sums: MonthDivisionSums | None = None
) -> dict[int, MonthFigures]:
    """Spent, awaiting approval and committed per month of the year (pool if no division)."""
    sums = month_division_sums(fiscal_year) if sums is None else sums
    months: dict[int, MonthFigures] = {}
    for (month, division), f in sums.items():
        if division_id is None or division == division_id:
            m = months.get(month, MonthFigures())
            months[month] = MonthFigures(
                m.spent_cents + f.spent_cents,
                m.pending_cents + f.pending_cents,
                m.committed_cents + f.committed_cents,
            )
    return months


def monthly_spent_by_division(
    fiscal_year: int, sums: MonthDivisionSums | None = None
) -> dict[tuple[int, int], int]:
    """Approved spend per (month, division id)."""
    sums = month_division_sums(fiscal_year) if sums is None else sums
    return {key: f.spent_cents for key, f in sums.items()}


class UnitRef(NamedTuple):
    """A unit as the budget page names it (plain data, so it can be cached)."""

    id: int
    code: str
    name: str


def top_units(
    fiscal_year: int, division_id: int | None = None, limit: int = 10, min_people: int = 0
) -> list[tuple[UnitRef, int, int]]:
    """The units whose staff attend most charged sessions: (unit, sessions, people).

    A session counts once per unit of its attendees (those not marked absent).
    ``min_people`` leaves out units with fewer distinct clients, for readers who may
    see aggregates only.
    """
    sessions = func.count(distinct(SupervisionSession.id))
    people = func.count(distinct(SessionAttendance.user_id))
    query = (
        select(Unit.id, Unit.code, Unit.name, sessions, people)
        .select_from(SessionCost)
        .join(SupervisionSession, SessionCost.session_id == SupervisionSession.id)
        .join(SessionAttendance, SessionAttendance.session_id == SupervisionSession.id)
        .join(User, SessionAttendance.user_id == User.id)
        .join(Unit, User.unit_id == Unit.id)
        .where(
            ledger.in_year(fiscal_year),
            or_(SessionAttendance.attended.is_(None), SessionAttendance.attended),
        )
        .group_by(Unit.id, Unit.code, Unit.name)
        .having(people >= min_people)
        .order_by(sessions.desc(), Unit.name)
        .limit(limit)
    )
    if division_id is not None:
        query = query.where(Unit.division_id == division_id)
    rows = db.session.execute(query).all()
    return [(UnitRef(i, code, name), int(s), int(p)) for i, code, name, s, p in rows]


@dataclass(frozen=True)
class BudgetSummary:
    """One budget line of a fiscal year, as the page and the CLI show it."""

    fiscal_year: int
    division_id: int | None
    totals: Totals
    pending_cents: int
    months: dict[int, MonthFigures]
    month_now: int
    forecast: Forecast

    @property
    def level(self) -> Level:
        t = self.totals
        return budget_level(t.used_cents, t.budget_cents, t.warn_percent)

    @property
    def percent(self) -> int | None:
        return percent_used(self.totals.used_cents, self.totals.budget_cents)

    def chart(self) -> list[ChartRow]:
        return chart_rows(self.months, self.forecast, self.month_now, self.totals.budget_cents)


def summary(
    fiscal_year: int,
    division_id: int | None,
    today: date,
    sums: MonthDivisionSums | None = None,
) -> BudgetSummary:
    """Budget, committed, spent, remaining and forecast of the pool or one division."""
    sums = month_division_sums(fiscal_year) if sums is None else sums
    money: dict[int, tuple[int, int, int]] = {}
    for (_month, division), f in sums.items():
        c, s, a = money.get(division, (0, 0, 0))
        money[division] = (c + f.committed_cents, s + f.spent_cents, a + f.pending_cents)
    line = _totals_of(fiscal_year, money).get(division_id) or Totals(None, 0, 0)
    months = monthly(fiscal_year, division_id, sums)
    month_now = current_month(fiscal_year, today)
    return BudgetSummary(
        fiscal_year,
        division_id,
        line,
        sum(m.pending_cents for m in months.values()),
        months,
        month_now,
        forecast(months, month_now),
    )


def _pending_select(
    columns,
    supervisor_id: int | None = None,
    month: tuple[int, int] | None = None,
    division_id: int | None = None,
):
    """``columns`` of the logged sessions awaiting approval, filtered.

    Processes are joined only to filter by supervisor: every session has one, and the
    unfiltered list is then read from the index on (approval, date) alone.
    """
    query = select(*columns).where(SupervisionSession.approval == ApprovalStatus.PENDING)
    if supervisor_id:
        query = query.join(
            SupervisionProcess, SupervisionSession.process_id == SupervisionProcess.id
        ).where(SupervisionProcess.supervisor_id == supervisor_id)
    if month:
        query = query.where(
            SupervisionSession.on_date >= date(month[0], month[1], 1),
            SupervisionSession.on_date <= last_day(month),
        )
    if division_id:
        members_units = (
            select(SessionAttendance.id)
            .join(User, SessionAttendance.user_id == User.id)
            .join(Unit, User.unit_id == Unit.id)
            .where(
                SessionAttendance.session_id == SupervisionSession.id,
                Unit.division_id == division_id,
            )
        )
        query = query.where(members_units.exists())
    return query


def pending_count(
    supervisor_id: int | None = None,
    month: tuple[int, int] | None = None,
    division_id: int | None = None,
) -> int:
    """How many logged sessions await approval (with the filters)."""
    query = _pending_select((func.count(),), supervisor_id, month, division_id)
    return int(db.session.scalar(query.select_from(SupervisionSession)) or 0)


class PendingRow(NamedTuple):
    """A session of the approval list as plain data (no client names, no answers)."""

    id: int
    on_date: date
    status: str
    duration_minutes: int
    price_cents: int
    process_id: int
    kind: str
    year_starts_on: date
    supervisor_name: str
    attended: int
    attendees: int

    @property
    def reference(self) -> str:
        """The process's pseudonymous reference (``SupervisionProcess.reference``)."""
        return process_reference(self.year_starts_on.year, self.process_id)


def pending_rows(
    limit: int,
    offset: int,
    supervisor_id: int | None = None,
    month: tuple[int, int] | None = None,
    division_id: int | None = None,
) -> list[PendingRow]:
    """A page of the approval list, oldest first, in one statement.

    The page's ids are picked first (from the index on approval and date, however deep
    the page), then only those fifty rows are joined to their process, school year,
    supervisor and attendance counts.
    """
    ids = (
        _pending_select((SupervisionSession.id,), supervisor_id, month, division_id)
        .order_by(SupervisionSession.on_date, SupervisionSession.id)
        .limit(limit)
        .offset(offset)
    )
    attendance = select(func.count()).where(SessionAttendance.session_id == SupervisionSession.id)
    rows = db.session.execute(
        select(
            SupervisionSession.id,
            SupervisionSession.on_date,
            SupervisionSession.status,
            SupervisionSession.duration_minutes,
            SupervisionSession.price_cents,
            SupervisionProcess.id,
            SupervisionProcess.kind,
            SchoolYear.starts_on,
            User.name,
            attendance.where(SessionAttendance.attended.is_(True)).scalar_subquery(),
            attendance.scalar_subquery(),
        )
        .join(SupervisionProcess, SupervisionSession.process_id == SupervisionProcess.id)
        .join(SchoolYear, SupervisionProcess.school_year_id == SchoolYear.id)
        .join(Supervisor, SupervisionProcess.supervisor_id == Supervisor.id)
        .join(User, Supervisor.user_id == User.id)
        .where(SupervisionSession.id.in_(ids.scalar_subquery()))
        .order_by(SupervisionSession.on_date, SupervisionSession.id)
    )
    return [PendingRow(*row) for row in rows]

"""Budget figures computed in the database (SUMs over session costs), never row by row."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select

from lahti_pool.budget.models import Budget
from lahti_pool.extensions import db
from lahti_pool.sessions.models import (
    USING_STATUSES,
    ApprovalStatus,
    SessionCost,
    SessionStatus,
    SupervisionSession,
)


@dataclass(frozen=True)
class Totals:
    """Money of one budget line in a fiscal year, in cents."""

    budget_cents: int | None  #: None when no budget is set
    committed_cents: int  #: planned sessions × frozen price
    spent_cents: int  #: approved billable sessions × frozen price
    warn_percent: int = 80

    @property
    def used_cents(self) -> int:
        return self.committed_cents + self.spent_cents

    @property
    def remaining_cents(self) -> int | None:
        return None if self.budget_cents is None else self.budget_cents - self.used_cents


_committed = SupervisionSession.status == SessionStatus.PLANNED
_spent = and_(
    SupervisionSession.status.in_(list(USING_STATUSES)),
    SupervisionSession.approval == ApprovalStatus.APPROVED,
)


def _year(fiscal_year: int):
    return SupervisionSession.on_date.between(date(fiscal_year, 1, 1), date(fiscal_year, 12, 31))


def totals(fiscal_year: int) -> dict[int | None, Totals]:
    """Per division (and None for the pool): budget, committed and spent."""
    rows = db.session.execute(
        select(
            SessionCost.division_id,
            func.coalesce(func.sum(case((_committed, SessionCost.amount_cents), else_=0)), 0),
            func.coalesce(func.sum(case((_spent, SessionCost.amount_cents), else_=0)), 0),
        )
        .join(SupervisionSession, SessionCost.session_id == SupervisionSession.id)
        .where(_year(fiscal_year))
        .group_by(SessionCost.division_id)
    ).all()
    money = {division: (int(c), int(s)) for division, c, s in rows}
    budgets = {
        b.division_id: b
        for b in db.session.scalars(select(Budget).where(Budget.fiscal_year == fiscal_year))
    }
    result = {}
    for division in set(money) | {k for k in budgets if k is not None}:
        committed, spent = money.get(division, (0, 0))
        b = budgets.get(division)
        result[division] = Totals(
            b.amount_cents if b else None, committed, spent, b.warn_percent if b else 80
        )
    pool = budgets.get(None)
    result[None] = Totals(
        pool.amount_cents if pool else None,
        sum(c for c, _ in money.values()),
        sum(s for _, s in money.values()),
        pool.warn_percent if pool else 80,
    )
    return result

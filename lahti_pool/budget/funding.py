"""Funding sources: a budget dimension beside the divisions (issue 19).

A development programme may be paid from ministry partnership money rather than the
pool's budget. Each funding source has a budget per fiscal year; what it pays is recorded
as expenses, and the guard checks each expense against that year's budget the way it
checks a division's: a warning at the threshold, a refusal over 100 % unless the
administrator gives a reason (audited). Sums are SQL aggregates, in cents.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update

from lahti_pool.budget.guard import BudgetExceeded
from lahti_pool.budget.models import FundedExpense, FundingBudget, FundingSource
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.extensions import db


@dataclass(frozen=True)
class FundingLine:
    """A funding source's year: its budget (None when not set) and what it has paid."""

    source_id: int
    name: str
    is_active: bool
    budget_cents: int | None
    warn_percent: int
    used_cents: int

    @property
    def remaining_cents(self) -> int | None:
        return None if self.budget_cents is None else self.budget_cents - self.used_cents

    @property
    def percent(self) -> int | None:
        if not self.budget_cents:
            return None
        return self.used_cents * 100 // self.budget_cents


@dataclass(frozen=True)
class FundingWarning:
    source_name: str
    percent: int


@dataclass(frozen=True)
class ExpenseInput:
    funding_source_id: int
    on_date: date
    amount_cents: int
    description: str
    subject_type: str = ""
    subject_id: int | None = None
    #: the administrator's audited reason to go over 100 % of the source's budget
    override_reason: str = ""


def add_source(actor, name: str) -> FundingSource:
    name = name.strip()
    if not name:
        raise DomainError(N_("Give the funding source a name."), field="name")
    if db.session.scalar(select(FundingSource.id).where(FundingSource.name == name)):
        raise DomainError(
            N_("A funding source called %(name)s already exists."), field="name", name=name
        )
    source = FundingSource(name=name, is_active=True)
    db.session.add(source)
    db.session.flush()
    audit.record(actor, "funding.source_added", source, name=name)
    return source


def set_source_active(actor, source: FundingSource, active: bool) -> None:
    source.is_active = active
    audit.record(actor, "funding.source_active", source, active=active)


def set_funding_budget(
    actor, source: FundingSource, fiscal_year: int, amount_cents: int, warn_percent: int
) -> FundingBudget:
    if amount_cents < 0:
        raise DomainError(N_("A budget cannot be negative."), field="amount")
    if not 0 < warn_percent <= 100:
        raise DomainError(N_("Give a warning threshold from 1 to 100 %."), field="warn_percent")
    budget = _budget(source.id, fiscal_year)
    old = budget.amount_cents if budget else None
    if budget is None:
        budget = FundingBudget(funding_source_id=source.id, fiscal_year=fiscal_year)
        db.session.add(budget)
    budget.amount_cents = amount_cents
    budget.warn_percent = warn_percent
    db.session.flush()
    audit.record(
        actor,
        "funding.budget_set",
        source,
        fiscal_year=fiscal_year,
        old_amount_cents=old,
        new_amount_cents=amount_cents,
        warn_percent=warn_percent,
    )
    return budget


def record_expense(actor, data: ExpenseInput) -> tuple[FundedExpense, list[FundingWarning]]:
    """Record what a funding source pays, guarded by that year's budget."""
    source = db.session.get(FundingSource, data.funding_source_id)
    if source is None or not source.is_active:
        raise DomainError(N_("Choose an active funding source."), field="funding_source")
    if data.amount_cents <= 0:
        raise DomainError(N_("Give an amount above zero."), field="amount")
    if not data.description.strip():
        raise DomainError(N_("Say what the money is for."), field="description")
    year = data.on_date.year
    # The budget row first, for writing: concurrent expenses then run one after another,
    # each seeing what the previous one committed.
    db.session.execute(
        update(FundingBudget)
        .where(FundingBudget.funding_source_id == source.id, FundingBudget.fiscal_year == year)
        .values(warn_percent=FundingBudget.warn_percent)
        .execution_options(synchronize_session=False)
    )
    budget = _budget(source.id, year)
    warnings: list[FundingWarning] = []
    if budget is not None:
        after = _used(source.id, year) + data.amount_cents
        percent = after * 100 // budget.amount_cents if budget.amount_cents else 100
        if after > budget.amount_cents:
            reason = data.override_reason.strip()
            if not reason:
                raise BudgetExceeded(
                    N_(
                        "This would take %(source)s over its budget for %(year)s. The pool "
                        "administrator can accept it with a reason."
                    ),
                    field="override_reason",
                    source=source.name,
                    year=year,
                )
            audit.record(
                actor,
                "budget.override",
                source,
                fiscal_year=year,
                funding_source=source.name,
                added_cents=data.amount_cents,
                reason=reason,
            )
        if percent >= budget.warn_percent:
            warnings.append(FundingWarning(source.name, percent))
    expense = FundedExpense(
        funding_source_id=source.id,
        fiscal_year=year,
        on_date=data.on_date,
        amount_cents=data.amount_cents,
        description=data.description.strip(),
        subject_type=data.subject_type,
        subject_id=data.subject_id,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(expense)
    db.session.flush()
    audit.record(
        actor,
        "funding.expense_added",
        expense,
        funding_source=source.name,
        cents=expense.amount_cents,
    )
    return expense, warnings


def remove_expense(actor, expense: FundedExpense) -> None:
    audit.record(
        actor,
        "funding.expense_removed",
        expense,
        funding_source=expense.funding_source.name,
        cents=expense.amount_cents,
        on_date=expense.on_date.isoformat(),
    )
    db.session.delete(expense)
    db.session.flush()


def funding_lines(fiscal_year: int) -> list[FundingLine]:
    """Every funding source's budget and use in the year, in one query."""
    used = (
        select(
            FundedExpense.funding_source_id.label("source_id"),
            func.sum(FundedExpense.amount_cents).label("cents"),
        )
        .where(FundedExpense.fiscal_year == fiscal_year)
        .group_by(FundedExpense.funding_source_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            FundingSource.id,
            FundingSource.name,
            FundingSource.is_active,
            FundingBudget.amount_cents,
            FundingBudget.warn_percent,
            func.coalesce(used.c.cents, 0),
        )
        .outerjoin(
            FundingBudget,
            (FundingBudget.funding_source_id == FundingSource.id)
            & (FundingBudget.fiscal_year == fiscal_year),
        )
        .outerjoin(used, used.c.source_id == FundingSource.id)
        .order_by(FundingSource.name)
    )
    return [
        FundingLine(sid, name, active, budget, warn or 80, int(cents))
        for sid, name, active, budget, warn, cents in rows
    ]


def expenses(source_id: int, fiscal_year: int) -> list[FundedExpense]:
    return list(
        db.session.scalars(
            select(FundedExpense)
            .where(
                FundedExpense.funding_source_id == source_id,
                FundedExpense.fiscal_year == fiscal_year,
            )
            .order_by(FundedExpense.on_date, FundedExpense.id)
        )
    )


def expenses_for(subject_type: str, subject_id: int) -> list[FundedExpense]:
    """What the funding sources paid for one thing (a programme), by date."""
    return list(
        db.session.scalars(
            select(FundedExpense)
            .where(
                FundedExpense.subject_type == subject_type,
                FundedExpense.subject_id == subject_id,
            )
            .order_by(FundedExpense.on_date, FundedExpense.id)
        )
    )


def active_sources() -> list[FundingSource]:
    return list(
        db.session.scalars(
            select(FundingSource).where(FundingSource.is_active).order_by(FundingSource.name)
        )
    )


def _budget(source_id: int, fiscal_year: int) -> FundingBudget | None:
    return db.session.scalar(
        select(FundingBudget).where(
            FundingBudget.funding_source_id == source_id,
            FundingBudget.fiscal_year == fiscal_year,
        )
    )


def _used(source_id: int, fiscal_year: int) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(FundedExpense.amount_cents), 0)).where(
                FundedExpense.funding_source_id == source_id,
                FundedExpense.fiscal_year == fiscal_year,
            )
        )
    )

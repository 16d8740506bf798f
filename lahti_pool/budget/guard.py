"""The budget guard: warn at the threshold, refuse at 100 % unless overridden with a reason."""

from dataclasses import dataclass

from sqlalchemy import update

from lahti_pool.budget import ledger
from lahti_pool.budget.mails import notify_budget_threshold
from lahti_pool.budget.models import Budget
from lahti_pool.budget.queries import totals
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division


class BudgetExceeded(DomainError):
    """The change would take committed + spent over a budget."""


@dataclass(frozen=True)
class BudgetWarning:
    division_id: int | None  #: None for the pool budget
    percent: int  #: used share of the budget after the change


def check_budget(
    actor,
    fiscal_year: int,
    added_cents: dict[int, int],
    override_reason: str = "",
    subject=None,
) -> list[BudgetWarning]:
    """Check what adding ``added_cents`` per division does to the year's budgets.

    Returns a warning for each budget at or over its threshold. Raises BudgetExceeded
    when one would go over 100 %, unless the administrator gave ``override_reason``;
    an override is audited.
    """
    if not added_cents:
        return []
    _lock_year(fiscal_year)
    current = totals(fiscal_year)
    lines = {d: current.get(d) for d in added_cents} | {None: current[None]}
    warnings, over = [], []
    for division, line in lines.items():
        if line is None or line.budget_cents is None:
            continue
        added = sum(added_cents.values()) if division is None else added_cents[division]
        if added < 0:  # a change that lowers this line (a re-split cost key) cannot break it
            continue
        after = line.used_cents + added
        percent = after * 100 // line.budget_cents if line.budget_cents else 100
        if after > line.budget_cents:
            over.append(division)
        if percent >= line.warn_percent:
            warnings.append(BudgetWarning(division, percent))
    if over:
        if not override_reason.strip():
            raise BudgetExceeded(
                N_(
                    "This would take spending over the budget for %(year)s. The pool "
                    "administrator can accept it with a reason."
                ),
                field="override_reason",
                year=fiscal_year,
            )
        audit.record(
            actor,
            "budget.override",
            subject,
            fiscal_year=fiscal_year,
            divisions=[d for d in over],
            added_cents=sum(added_cents.values()),
            reason=override_reason.strip(),
        )
    for warning in warnings:
        division = db.session.get(Division, warning.division_id) if warning.division_id else None
        notify_budget_threshold(warning, fiscal_year, division.name_fi if division else "")
    return warnings


def _lock_year(fiscal_year: int) -> None:
    """Take the year's budget rows for writing first: concurrent checks then run one
    after another, each seeing what the previous one committed (no count-then-insert)."""
    db.session.execute(
        update(Budget)
        .where(Budget.fiscal_year == fiscal_year)
        .values(warn_percent=Budget.warn_percent)
        .execution_options(synchronize_session=False)
    )
    # Keeps the ledger's change rows few. A write too, so the negative control in
    # tests/concurrency leaves it out with the lock: on SQLite it would take the one
    # write lock just as early.
    ledger.fold()

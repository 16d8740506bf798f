"""Budget use cases that other features call."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lahti_pool.budget.costkey import CostKey, Person, org_key, split_session
from lahti_pool.budget.models import Budget, SessionCost
from lahti_pool.budget.rules import division_weights, split_cents
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition
from lahti_pool.extensions import db
from lahti_pool.sessions.models import (
    ApprovalStatus,
    SessionStatus,
    SupervisionProcess,
    SupervisionSession,
)


def recompute_costs(sup_session: SupervisionSession) -> None:
    """Charge the session's price to the divisions of its (attending) clients."""
    sup_session.costs.clear()
    db.session.flush()
    for division_id, cents in costs_for(sup_session).items():
        sup_session.costs.append(SessionCost(division_id=division_id, amount_cents=cents))


def costs_for(sup_session: SupervisionSession) -> dict[int, int]:
    """What the session should cost each division now, by its process's cost key.

    A planned session is split by the clients expected; a billable logged one by those
    who attended (everyone expected, if nobody is marked); others cost nothing.
    """
    if sup_session.is_covision or sup_session.price_cents == 0:
        return {}
    if sup_session.status != SessionStatus.PLANNED and not sup_session.is_billable:
        return {}
    rows = sup_session.attendance
    attended = [a for a in rows if a.attended]
    people = attended if sup_session.status != SessionStatus.PLANNED and attended else rows
    users = [a.user for a in people]
    return split_for(sup_session.process, sup_session.price_cents, users)


def shares_of(process: SupervisionProcess) -> dict[int, int]:
    """The process's fixed shares in basis points per organisation key (0: the city)."""
    return {int(org): int(points) for org, points in (process.cost_shares or {}).items()}


def _person(user) -> Person | None:
    unit = user.unit
    return None if unit is None else (org_key(unit.division.organisation_id), unit.division_id)


def split_for(process: SupervisionProcess, total: int, users) -> dict[int, int]:
    """``total`` cents of one of the process's sessions per division, ``users`` being the
    people it counts (attendees or those expected), by the process's cost key."""
    if process.cost_key in (None, CostKey.ATTENDANCE):  # today's rule, no organisation lookup
        divisions = [u.unit.division_id for u in users if u.unit is not None]
        return split_cents(total, division_weights(divisions))
    people = [p for p in map(_person, users) if p is not None]
    members = [p for p in (_person(m.user) for m in process.members) if p is not None]
    return split_session(total, process.cost_key, shares_of(process), people, members)


# --- Approval of logged sessions ------------------------------------------------------


def approve_sessions(actor, sessions: list[SupervisionSession], now: datetime) -> int:
    """Approve logged sessions; from now on the billable ones count as spent."""
    if not sessions:
        raise DomainError(N_("Choose at least one session to approve."))
    for sup_session in sessions:
        if sup_session.approval != ApprovalStatus.PENDING:
            raise InvalidTransition(
                N_("The session of %(day)s is not waiting for approval any more."),
                day=sup_session.on_date,
            )
        sup_session.approval = ApprovalStatus.APPROVED
        sup_session.approved_at = now
        sup_session.approved_by_id = actor.id
        audit.record(actor, "session.approved", sup_session, status=str(sup_session.status))
    db.session.flush()
    return len(sessions)


def return_session(actor, sup_session: SupervisionSession, reason: str) -> None:
    """Send a logged session back to its supervisor to correct, with the reason."""
    if sup_session.approval != ApprovalStatus.PENDING:
        raise InvalidTransition(N_("This session is not waiting for approval any more."))
    if not reason.strip():
        raise DomainError(N_("Tell the supervisor what to correct."), field="reason")
    sup_session.approval = ApprovalStatus.RETURNED
    sup_session.return_reason = reason.strip()
    audit.record(actor, "session.returned", sup_session, reason=reason.strip())
    db.session.flush()


# --- Budgets --------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetInput:
    fiscal_year: int
    division_id: int | None  #: None for the pool
    amount_cents: int
    warn_percent: int = 80


def set_budget(actor, data: BudgetInput) -> Budget:
    """Create or change the budget of the pool or a division for a fiscal year (audited)."""
    if data.amount_cents < 0:
        raise DomainError(N_("A budget cannot be negative."), field="amount")
    if not 0 < data.warn_percent <= 100:
        raise DomainError(N_("Give a warning threshold from 1 to 100 %."), field="warn_percent")
    budget = db.session.scalar(
        select(Budget).where(
            Budget.fiscal_year == data.fiscal_year,
            Budget.division_id.is_(None)
            if data.division_id is None
            else Budget.division_id == data.division_id,
        )
    )
    old = (budget.amount_cents, budget.warn_percent) if budget else (None, None)
    if budget is None:
        budget = Budget(fiscal_year=data.fiscal_year, division_id=data.division_id)
        db.session.add(budget)
    budget.amount_cents = data.amount_cents
    budget.warn_percent = data.warn_percent
    db.session.flush()
    audit.record(
        actor,
        "budget.set",
        budget,
        fiscal_year=data.fiscal_year,
        division_id=data.division_id,
        old_amount_cents=old[0],
        new_amount_cents=data.amount_cents,
        old_warn_percent=old[1],
        new_warn_percent=data.warn_percent,
    )
    return budget

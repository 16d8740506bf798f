"""Race-free quota changes in the database.

Each change is one conditional UPDATE whose WHERE clause is the rule in
requests/rules.py (no counter and not ``available`` below zero). Two tabs or two
workers asking for the last session both run the UPDATE; the database serialises
them on the row and the second one matches no row, so it is refused. Nothing is
counted first and inserted later.
"""

from datetime import date

from flask import current_app
from sqlalchemy import and_, select, update

from lahti_pool.accounts.models import Role, UserRole
from lahti_pool.core.errors import N_, InvalidTransition, QuotaExceeded
from lahti_pool.core.models import mark_created, upsert
from lahti_pool.extensions import db
from lahti_pool.requests.models import QuotaAccount, SchoolYear
from lahti_pool.requests.rules import QUOTA_OPS, QuotaOp, available_change, school_year_bounds


def school_year_for(day: date) -> SchoolYear:
    """The school year containing ``day``, created with the default quota if missing."""
    starts_on, ends_on = school_year_bounds(day)
    year = db.session.scalar(select(SchoolYear).where(SchoolYear.starts_on == starts_on))
    if year is None:
        db.session.execute(
            upsert(SchoolYear)
            .values(starts_on=starts_on, ends_on=ends_on, quota=current_app.config["DEFAULT_QUOTA"])
            .on_conflict_do_nothing(index_elements=["starts_on"])
        )
        mark_created(db.session)
        year = db.session.scalar(select(SchoolYear).where(SchoolYear.starts_on == starts_on))
    return year


def account_for(user_id: int, year: SchoolYear) -> QuotaAccount:
    """The person's counters for the year, created at the year's quota if missing."""
    query = select(QuotaAccount).where(
        QuotaAccount.user_id == user_id, QuotaAccount.school_year_id == year.id
    )
    account = db.session.scalar(query)
    if account is None:
        db.session.execute(
            upsert(QuotaAccount)
            .values(user_id=user_id, school_year_id=year.id, quota=year.quota)
            .on_conflict_do_nothing(index_elements=["user_id", "school_year_id"])
        )
        mark_created(db.session)
        account = db.session.scalar(query)
    return account


def available_in(user_id: int, year: SchoolYear) -> int:
    """How many sessions the person has left in the year, read only (no account made)."""
    account = db.session.scalar(
        select(QuotaAccount).where(
            QuotaAccount.user_id == user_id, QuotaAccount.school_year_id == year.id
        )
    )
    return year.quota if account is None else account.state().available


def change_quota(account: QuotaAccount, op: QuotaOp, n: int = 1) -> None:
    """Apply ``op`` for ``n`` sessions, or raise QuotaExceeded and change nothing."""
    deltas = QUOTA_OPS[op]
    guards = [getattr(QuotaAccount, c) + d * n >= 0 for c, d in deltas.items() if d < 0]
    if available_change(op) < 0:
        guards.append(
            QuotaAccount.quota
            - QuotaAccount.used
            - QuotaAccount.reserved
            - QuotaAccount.pending
            + available_change(op) * n
            >= 0
        )
    result = db.session.execute(
        update(QuotaAccount)
        .where(QuotaAccount.id == account.id, and_(*guards))
        .values({c: getattr(QuotaAccount, c) + d * n for c, d in deltas.items()})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(account)
        if available_change(op) < 0:
            raise QuotaExceeded(
                N_("Only %(available)s sessions are left this school year; you asked for %(n)s."),
                field="sessions",
                available=max(account.state().available, 0),
                n=n,
            )
        raise InvalidTransition(N_("There are no such sessions to change."))
    db.session.refresh(account)


def outside_quota(user_ids) -> set[int]:
    """Of ``user_ids``, the guest organisations' officials: the 10 sessions a year are the
    city's rule for its own staff, so their quota is never held, reserved nor used (their
    organisation's budget and agreement limit them instead). One query."""
    ids = set(user_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(UserRole.user_id).where(UserRole.user_id.in_(ids), UserRole.role == Role.GUEST)
        )
    )

"""The ledger of the money each fiscal year's sessions use, kept by the database.

``budget_usage`` holds the sums per (fiscal year, division) as last folded;
``budget_usage_changes`` the signed changes since, appended by the triggers of migration
0007 in the same transaction as every write of a cost or of a session's status, approval
or date. The usage of a year is the two added up; ``fold`` moves the changes into the sums
so the change rows stay few. The guard folds before it reads (under its lock), and so
does ``flask pool daily-jobs``.

The buckets, also the budget page's (``queries.py``): *committed* = planned
sessions; *spent* = approved billable sessions; *awaiting* = logged billable sessions not
yet approved, or returned.
"""

from collections import defaultdict
from datetime import date

from sqlalchemy import Integer, and_, case, cast, delete, extract, func, insert, select

from lahti_pool.budget.models import BudgetUsage, BudgetUsageChange, SessionCost
from lahti_pool.core.models import upsert
from lahti_pool.extensions import db
from lahti_pool.sessions.models import (
    USING_STATUSES,
    ApprovalStatus,
    SessionStatus,
    SupervisionSession,
)

COMMITTED = SupervisionSession.status == SessionStatus.PLANNED
SPENT = and_(
    SupervisionSession.status.in_(list(USING_STATUSES)),
    SupervisionSession.approval == ApprovalStatus.APPROVED,
)
AWAITING = and_(
    SupervisionSession.status.in_(list(USING_STATUSES)),
    SupervisionSession.approval.in_([ApprovalStatus.PENDING, ApprovalStatus.RETURNED]),
)
#: (committed, spent, awaiting) in cents
Money = tuple[int, int, int]
ZERO: Money = (0, 0, 0)
#: PostgreSQL advisory lock key of the fold: "budget" in ASCII
FOLD_LOCK = 0x627564676574


def money_in(condition):
    """SUM of the session costs whose session meets ``condition``, 0 when there are none."""
    return func.coalesce(func.sum(case((condition, SessionCost.amount_cents), else_=0)), 0)


def in_year(fiscal_year: int):
    return SupervisionSession.on_date.between(date(fiscal_year, 1, 1), date(fiscal_year, 12, 31))


def usage(fiscal_year: int) -> dict[int, Money]:
    """(committed, spent, awaiting) per division: the folded sums and the changes since,
    added up in one statement (one snapshot)."""
    parts = [
        select(t.division_id, t.committed_cents, t.spent_cents, t.awaiting_cents).where(
            t.fiscal_year == fiscal_year
        )
        for t in (BudgetUsage, BudgetUsageChange)
    ]
    both = parts[0].union_all(parts[1]).subquery()
    rows = db.session.execute(
        select(
            both.c.division_id,
            func.sum(both.c.committed_cents),
            func.sum(both.c.spent_cents),
            func.sum(both.c.awaiting_cents),
        ).group_by(both.c.division_id)
    ).all()
    return {division: (int(c), int(s), int(a)) for division, c, s, a in rows}


def fold() -> int:
    """Move the change rows into the sums, in the current transaction; returns how many.

    The changes are deleted and returned in one statement, so one committed meanwhile is
    either folded or left for next time, never lost. On PostgreSQL one fold runs at a
    time (an advisory lock until commit); another transaction that would fold meanwhile
    skips it, as its reads add the changes up anyway.
    """
    dialect = db.session.get_bind().dialect.name
    locked = select(func.pg_try_advisory_xact_lock(FOLD_LOCK))
    if dialect == "postgresql" and not db.session.scalar(locked):
        return 0
    t = BudgetUsageChange
    gone = db.session.execute(
        delete(t).returning(
            t.fiscal_year, t.division_id, t.committed_cents, t.spent_cents, t.awaiting_cents
        )
    ).all()
    sums: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for year, division, committed, spent, awaiting in gone:
        line = sums[year, division]
        line[0] += committed
        line[1] += spent
        line[2] += awaiting
    for (year, division), (committed, spent, awaiting) in sorted(sums.items()):
        db.session.execute(
            upsert(BudgetUsage)
            .values(
                fiscal_year=year,
                division_id=division,
                committed_cents=committed,
                spent_cents=spent,
                awaiting_cents=awaiting,
            )
            .on_conflict_do_update(
                index_elements=["fiscal_year", "division_id"],
                set_={
                    "committed_cents": BudgetUsage.committed_cents + committed,
                    "spent_cents": BudgetUsage.spent_cents + spent,
                    "awaiting_cents": BudgetUsage.awaiting_cents + awaiting,
                },
            )
        )
    return len(gone)


def fill(conn) -> None:
    """Fill the empty ledger from the rows in one pass, on ``conn``: for a bulk load that
    set the ledger's triggers aside (``lahti_dev/scale``)."""
    year = cast(extract("year", SupervisionSession.on_date), Integer)
    sums = (
        select(
            year,
            SessionCost.division_id,
            money_in(COMMITTED),
            money_in(SPENT),
            money_in(AWAITING),
        )
        .join(SupervisionSession, SessionCost.session_id == SupervisionSession.id)
        .group_by(year, SessionCost.division_id)
    )
    columns = ["fiscal_year", "division_id", "committed_cents", "spent_cents", "awaiting_cents"]
    conn.execute(insert(BudgetUsage).from_select(columns, sums))


def summed(fiscal_year: int) -> dict[int, Money]:
    """(committed, spent, awaiting) per division summed from the session rows themselves:
    what the ledger must equal (the tests and ``lahti_dev/scale/checks.py`` compare)."""
    rows = db.session.execute(
        select(
            SessionCost.division_id,
            money_in(COMMITTED),
            money_in(SPENT),
            money_in(AWAITING),
        )
        .join(SupervisionSession, SessionCost.session_id == SupervisionSession.id)
        .where(in_year(fiscal_year))
        .group_by(SessionCost.division_id)
    ).all()
    return {division: (int(c), int(s), int(a)) for division, c, s, a in rows}


def differences() -> list[str]:
    """Where the ledger differs from the sums of the rows: "(year, division): ..." lines.

    Empty when the triggers kept it right (an all-zero line, left by costs that came and
    went, equals no line at all).
    """
    years = set(db.session.scalars(select(BudgetUsage.fiscal_year).distinct()))
    years |= set(db.session.scalars(select(BudgetUsageChange.fiscal_year).distinct()))
    days = select(SupervisionSession.on_date).join(SupervisionSession.costs).distinct()
    years |= {day.year for day in db.session.scalars(days)}
    kept = {(y, d): money for y in years for d, money in usage(y).items()}
    rows = {(y, d): money for y in years for d, money in summed(y).items()}
    return [
        f"{key}: ledger {kept.get(key, ZERO)}, rows {rows.get(key, ZERO)}"
        for key in sorted(set(kept) | set(rows))
        if kept.get(key, ZERO) != rows.get(key, ZERO)
    ]

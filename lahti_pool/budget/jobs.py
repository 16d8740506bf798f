"""The budget feature's daily job: fold the ledger's change rows into its sums."""

from datetime import date, datetime

from lahti_pool.budget import ledger
from lahti_pool.core.jobs import daily_job


@daily_job("ledger_changes", "Folded {n} budget ledger changes.")
def fold_ledger(today: date, now: datetime) -> int:
    return ledger.fold()

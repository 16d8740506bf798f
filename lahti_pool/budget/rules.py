"""Budget arithmetic (DOMAIN.md "Sessions, money and budget"). Pure: integers in cents.

Committed = planned sessions × frozen price; spent = approved billable sessions ×
frozen price; a session counts in the fiscal year of its date; a group session's
cost is split between the divisions of its attending members in proportion to
attendance.
"""

import calendar
import enum
from collections import Counter
from collections.abc import Hashable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal


def split_cents(total: int, weights: Mapping[Hashable, int]) -> dict[Hashable, int]:
    """Split ``total`` cents in proportion to ``weights``; the parts add up exactly.

    Largest-remainder rounding: every part gets its floor, and the cents left over go
    to the largest remainders (ties by key order, so the result is deterministic).
    """
    if total < 0:
        raise ValueError("total must not be negative")
    weights = {k: w for k, w in weights.items() if w > 0}
    if not weights:
        return {}
    whole = sum(weights.values())
    parts = {k: total * w // whole for k, w in weights.items()}
    left = total - sum(parts.values())
    by_remainder = sorted(weights, key=lambda k: (-(total * weights[k] % whole), str(k)))
    for k in by_remainder[:left]:
        parts[k] += 1
    return parts


def division_weights(division_ids: list[int]) -> dict[int, int]:
    """How many of the attendees belong to each division."""
    return dict(Counter(division_ids))


# --- VAT (money in and out of text: core/money.py) ----------------------------------


def vat_cents(net_cents: int, vat_percent: Decimal) -> int:
    """VAT of one statement line, rounded half up to the cent.

    Rounded per line, not per statement, so each line stands on its own in the
    accounts; ROUND_HALF_UP rounds away from zero, so a credit mirrors its charge.
    """
    vat = Decimal(net_cents) * Decimal(vat_percent) / 100
    return int(vat.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_used(used_cents: int, budget_cents: int | None) -> int | None:
    """The used share of a budget in whole percent (rounded down), None without a budget."""
    if budget_cents is None:
        return None
    if budget_cents == 0:
        return 100 if used_cents == 0 else 999
    return used_cents * 100 // budget_cents


class Level(enum.StrEnum):
    NO_BUDGET = "no_budget"
    OK = "ok"
    WARNING = "warning"  #: at or over the warning threshold
    OVER = "over"  #: more used than budgeted


def budget_level(used_cents: int, budget_cents: int | None, warn_percent: int) -> Level:
    """The guard's thresholds (budget/guard.py) as a state for the page."""
    if budget_cents is None:
        return Level.NO_BUDGET
    if used_cents > budget_cents:
        return Level.OVER
    if percent_used(used_cents, budget_cents) >= warn_percent:
        return Level.WARNING
    return Level.OK


# --- Invoice statements --------------------------------------------------------------

Month = tuple[int, int]  #: (year, month)


def next_month(month: Month) -> Month:
    year, m = month
    return (year + 1, 1) if m == 12 else (year, m + 1)


def last_day(month: Month) -> date:
    """The month's last day: a period "up to the end of the month" ends on it (the first
    day of the next month does not exist after December 9999)."""
    year, m = month
    return date(year, m, calendar.monthrange(year, m)[1])


def statement_month_for(session_month: Month, sent: set[Month]) -> Month:
    """The statement a session's money belongs on.

    Its own month while that statement is open; once that one was sent, the next
    month whose statement is not sent (a late approval or a correction is an
    adjustment there; a sent statement never changes).
    """
    month = session_month
    while month in sent:
        month = next_month(month)
    return month


def dues(expected: Mapping[Hashable, int], billed: Mapping[Hashable, int]) -> dict[Hashable, int]:
    """What is still to bill (negative: to credit) per key, e.g. (session, cost centre)."""
    keys = set(expected) | set(billed)
    diff = {k: expected.get(k, 0) - billed.get(k, 0) for k in keys}
    return {k: v for k, v in diff.items() if v}

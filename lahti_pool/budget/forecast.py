"""The year-end forecast of a budget line, and the figures of its chart. Pure: cents in.

The method (shown on the budget page, DOMAIN.md "Sessions, money and budget"):

1. Months that have begun count what is known of them: approved spend, sessions
   logged and awaiting approval, and sessions still planned (committed).
2. The run-rate is the average approved spend of the *complete* school months so far
   (rounded half up to the cent). June and July are left out of it, because schools
   are closed and supervision pauses over the summer.
3. Each month still to come counts the larger of what is already planned for it and
   the run-rate; June and July count only what is planned.

So the forecast never falls below what is spent and committed, and in January (no
complete month yet) it is just what is spent and committed.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

#: months when schools are closed and supervision pauses (no run-rate there)
SUMMER_BREAK = frozenset({6, 7})
MONTHS = range(1, 13)


@dataclass(frozen=True)
class MonthFigures:
    """Money of one month of a budget line, in cents."""

    spent_cents: int = 0  #: approved billable sessions
    pending_cents: int = 0  #: logged billable sessions not approved yet
    committed_cents: int = 0  #: planned sessions

    @property
    def known_cents(self) -> int:
        return self.spent_cents + self.pending_cents + self.committed_cents


@dataclass(frozen=True)
class Forecast:
    total_cents: int  #: the forecast for the whole fiscal year
    run_rate_cents: int  #: average approved spend per complete school month
    rate_months: int  #: how many complete school months the run-rate stands on
    monthly_cents: tuple[int, ...]  #: the forecast of each month, January first


def current_month(fiscal_year: int, today: date) -> int:
    """The month in progress: 0 before the year begins, 13 once it has ended."""
    if today.year < fiscal_year:
        return 0
    if today.year > fiscal_year:
        return 13
    return today.month


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def forecast(months: Mapping[int, MonthFigures], month_now: int) -> Forecast:
    """The year-end forecast by the method in the module docstring."""
    empty = MonthFigures()
    complete = [m for m in MONTHS if m < month_now and m not in SUMMER_BREAK]
    spent = sum(months.get(m, empty).spent_cents for m in complete)
    rate = _half_up(spent, len(complete)) if complete else 0
    monthly = []
    for m in MONTHS:
        known = months.get(m, empty).known_cents
        if m <= month_now or m in SUMMER_BREAK:
            monthly.append(known)
        else:
            monthly.append(max(known, rate))
    return Forecast(sum(monthly), rate, len(complete), tuple(monthly))


def cumulative(values) -> list[int]:
    total, out = 0, []
    for v in values:
        total += v
        out.append(total)
    return out


@dataclass(frozen=True)
class ChartRow:
    """One month of the chart and of the table beside it; cumulative cents."""

    month: int
    spent_cents: int | None  #: None for months that have not begun
    known_cents: int  #: spent + awaiting approval + committed
    forecast_cents: int
    budget_cents: int | None


def chart_rows(
    months: Mapping[int, MonthFigures], fc: Forecast, month_now: int, budget_cents: int | None
) -> list[ChartRow]:
    """Cumulative spent, known and forecast money through the fiscal year."""
    empty = MonthFigures()
    spent = cumulative(months.get(m, empty).spent_cents for m in MONTHS)
    known = cumulative(months.get(m, empty).known_cents for m in MONTHS)
    projected = cumulative(fc.monthly_cents)
    return [
        ChartRow(
            m,
            spent[m - 1] if m <= month_now else None,
            known[m - 1],
            projected[m - 1],
            budget_cents,
        )
        for m in MONTHS
    ]

"""Budget arithmetic without an app: forecast, thresholds, VAT, statement months."""

from datetime import date
from decimal import Decimal

import pytest

from lahti_pool.budget.forecast import (
    MonthFigures,
    chart_rows,
    cumulative,
    current_month,
    forecast,
)
from lahti_pool.budget.rules import (
    Level,
    budget_level,
    dues,
    percent_used,
    split_cents,
    statement_month_for,
    vat_cents,
)
from lahti_pool.core.errors import DomainError
from lahti_pool.core.money import to_cents


def test_current_month_across_new_year():
    assert current_month(2026, date(2025, 12, 31)) == 0  # not begun
    assert current_month(2026, date(2026, 1, 1)) == 1
    assert current_month(2025, date(2026, 1, 1)) == 13  # over


def test_forecast_in_january_is_what_is_spent_and_committed():
    months = {1: MonthFigures(10_000, 500, 2_000), 3: MonthFigures(0, 0, 9_000)}
    fc = forecast(months, 1)
    assert (fc.run_rate_cents, fc.rate_months) == (0, 0)
    assert fc.total_cents == 10_000 + 500 + 2_000 + 9_000


def test_forecast_adds_the_run_rate_of_complete_school_months_for_the_months_to_come():
    # January–April complete: 4 months of approved spend 100, 200, 300, 400 € -> 250 €/month.
    months = {m: MonthFigures(spent_cents=m * 10_000) for m in (1, 2, 3, 4)}
    months[5] = MonthFigures(spent_cents=5_000, committed_cents=7_000)  # in progress
    months[9] = MonthFigures(committed_cents=40_000)  # more planned than the run-rate
    fc = forecast(months, 5)
    assert (fc.run_rate_cents, fc.rate_months) == (25_000, 4)
    spent_and_known = 100_000 + 12_000
    # Future school months: Aug, Oct, Nov, Dec at the rate, Sep at what is planned;
    # June and July count only what is planned (nothing).
    assert fc.total_cents == spent_and_known + 4 * 25_000 + 40_000
    assert fc.monthly_cents[5] == fc.monthly_cents[6] == 0  # June, July


def test_summer_months_are_left_out_of_the_run_rate():
    months = {m: MonthFigures(spent_cents=30_000) for m in range(1, 6)}
    months[6] = MonthFigures(spent_cents=1_000)
    months[7] = MonthFigures()
    fc = forecast(months, 9)  # Jan–Aug complete; June and July not in the rate
    assert (fc.run_rate_cents, fc.rate_months) == ((5 * 30_000) // 6, 6)


def test_run_rate_rounds_half_up_to_the_cent():
    months = {1: MonthFigures(spent_cents=1), 2: MonthFigures(spent_cents=2)}
    assert forecast(months, 3).run_rate_cents == 2  # 1.5 cents -> 2


def test_a_past_year_forecast_is_its_actual_money():
    months = {m: MonthFigures(spent_cents=1_000, committed_cents=1) for m in range(1, 13)}
    fc = forecast(months, 13)
    assert fc.total_cents == 12 * 1_001


def test_chart_rows_are_cumulative_and_the_spent_line_stops_at_today():
    months = {1: MonthFigures(100, 0, 50), 2: MonthFigures(200, 10, 0)}
    fc = forecast(months, 2)
    rows = chart_rows(months, fc, 2, 1_000)
    assert [r.spent_cents for r in rows[:3]] == [100, 300, None]
    assert [r.known_cents for r in rows[:2]] == [150, 360]
    assert rows[-1].forecast_cents == fc.total_cents
    assert {r.budget_cents for r in rows} == {1_000}
    assert cumulative([1, 2, 3]) == [1, 3, 6]


@pytest.mark.parametrize(
    "used, budget, warn, level",
    [
        (0, None, 80, Level.NO_BUDGET),
        (7_999, 10_000, 80, Level.OK),
        (8_000, 10_000, 80, Level.WARNING),
        (10_000, 10_000, 80, Level.WARNING),  # at 100 %: a warning, not yet over
        (10_001, 10_000, 80, Level.OVER),
        (1, 0, 80, Level.OVER),
    ],
)
def test_thresholds(used, budget, warn, level):
    assert budget_level(used, budget, warn) == level


def test_percent_used_rounds_down():
    assert percent_used(7_999, 10_000) == 79
    assert percent_used(1, None) is None


def test_committed_and_spent_of_a_group_split_add_up_per_division():
    # A 150.00 € group session of 3 attendees: 2 from division 1, 1 from division 2.
    parts = split_cents(15_000, {1: 2, 2: 1})
    assert parts == {1: 10_000, 2: 5_000}
    assert sum(parts.values()) == 15_000


def test_euros_are_turned_into_whole_cents_exactly():
    assert to_cents(Decimal("40000.10")) == 4_000_010
    assert to_cents(Decimal("0.1")) == 10
    with pytest.raises(DomainError):
        to_cents(Decimal("1.005"))


@pytest.mark.parametrize(
    "net, percent, vat",
    [
        (9_100, Decimal("25.50"), 2_321),  # 23.205 € -> 23.21 € (half up)
        (-9_100, Decimal("25.50"), -2_321),  # a credit mirrors its charge
        (10_000, Decimal("24.00"), 2_400),
        (1, Decimal("25.50"), 0),
        (2, Decimal("25.50"), 1),  # 0.51 cent -> 1
        (5_000, Decimal("0"), 0),
    ],
)
def test_vat_per_line_rounds_half_up_to_the_cent(net, percent, vat):
    assert vat_cents(net, percent) == vat


def test_late_money_goes_to_the_next_month_not_sent():
    sent = {(2025, 12), (2026, 1)}
    assert statement_month_for((2026, 2), sent) == (2026, 2)
    assert statement_month_for((2025, 12), sent) == (2026, 2)  # across New Year
    assert statement_month_for((2025, 11), sent) == (2025, 11)


def test_dues_are_what_is_still_to_bill_or_credit():
    assert dues({"A": 100, "B": 50}, {"A": 100}) == {"B": 50}
    assert dues({}, {"A": 100}) == {"A": -100}
    assert dues({"A": 100}, {"A": 100}) == {}

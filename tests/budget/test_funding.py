"""Funding sources: a budget dimension beside the divisions, guarded like a division's."""

import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from tests_support import CONFIRMED

from lahti_pool.budget import funding
from lahti_pool.budget.guard import BudgetExceeded
from lahti_pool.budget.models import FundedExpense, FundingBudget, FundingSource
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.errors import DomainError
from lahti_pool.extensions import db


@pytest.fixture
def ministry(admin):
    source = funding.add_source(admin, "Ministry partnership money")
    funding.set_funding_budget(admin, source, 2027, 1_000_000, 80)
    db.session.commit()
    return source


def expense(source, cents, day=date(2027, 3, 1), reason=""):
    return funding.ExpenseInput(source.id, day, cents, "Venue of module 2", override_reason=reason)


def test_expenses_are_summed_per_source_and_year(admin, ministry):
    funding.record_expense(admin, expense(ministry, 300_000))
    funding.record_expense(admin, expense(ministry, 200_050))
    # another year's money is that year's
    funding.record_expense(admin, expense(ministry, 99_999, day=date(2026, 12, 31)))
    other = funding.add_source(admin, "Project grant")
    funding.record_expense(admin, expense(other, 1))
    db.session.commit()
    lines = {line.name: line for line in funding.funding_lines(2027)}
    assert lines["Ministry partnership money"].used_cents == 500_050
    assert lines["Ministry partnership money"].remaining_cents == 499_950
    assert lines["Ministry partnership money"].percent == 50
    assert lines["Project grant"].used_cents == 1
    assert lines["Project grant"].budget_cents is None


def test_the_guard_warns_at_the_threshold_and_refuses_over_the_budget(admin, ministry):
    _, warnings = funding.record_expense(admin, expense(ministry, 700_000))
    assert warnings == []
    _, warnings = funding.record_expense(admin, expense(ministry, 100_000))
    assert [(w.source_name, w.percent) for w in warnings] == [("Ministry partnership money", 80)]
    db.session.commit()
    with pytest.raises(BudgetExceeded) as refused:
        funding.record_expense(admin, expense(ministry, 200_001))
    assert refused.value.field == "override_reason"
    db.session.rollback()
    assert db.session.scalar(select(func.count(FundedExpense.id))) == 2
    # exactly the budget is allowed
    funding.record_expense(admin, expense(ministry, 200_000))
    db.session.commit()


def test_going_over_needs_the_administrators_reason_and_is_audited(admin, ministry):
    funding.record_expense(admin, expense(ministry, 1_000_001, reason="Ministry adds money in May"))
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "budget.override"))
    assert event.details["reason"] == "Ministry adds money in May"
    assert event.details["funding_source"] == "Ministry partnership money"


@pytest.mark.parametrize(
    ("cents", "description", "field"),
    [(0, "Venue", "amount"), (-5, "Venue", "amount"), (100, "  ", "description")],
)
def test_bad_expenses_are_refused(admin, ministry, cents, description, field):
    data = funding.ExpenseInput(ministry.id, date(2027, 1, 5), cents, description)
    with pytest.raises(DomainError) as refused:
        funding.record_expense(admin, data)
    assert refused.value.field == field


def test_sources_out_of_use_and_duplicate_names_are_refused(admin, ministry):
    with pytest.raises(DomainError, match="already exists"):
        funding.add_source(admin, " Ministry partnership money ")
    with pytest.raises(DomainError):
        funding.add_source(admin, "")
    funding.set_source_active(admin, ministry, False)
    with pytest.raises(DomainError) as refused:
        funding.record_expense(admin, expense(ministry, 100))
    assert refused.value.field == "funding_source"


def test_administrator_records_an_expense_and_sees_it_on_the_budget_page(client, admin, ministry):
    client.login(admin)
    page = client.post(
        f"/admin/funding/{ministry.id}?year=2027",
        data={
            "expense-on_date": "2027-02-10",
            "expense-amount": "850,50",
            "expense-description": "Nature centre, module 3",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Nature centre, module 3" in page
    assert db.session.scalar(select(FundedExpense.amount_cents)) == 85_050
    overview = client.get("/budget?year=2027").get_data(as_text=True)
    assert "Ministry partnership money" in overview
    assert "850,50" in overview or "850.50" in overview


def test_an_expense_over_the_budget_shows_what_to_do_and_saves_nothing(client, admin, ministry):
    client.login(admin)
    response = client.post(
        f"/admin/funding/{ministry.id}",
        data={
            "expense-on_date": "2027-02-10",
            "expense-amount": "10000,01",
            "expense-description": "Hotel",
        },
    )
    assert response.status_code == 200
    assert "reason" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(FundedExpense.id))) == 0


def test_a_budget_is_set_on_the_source_page(client, admin, ministry):
    client.login(admin)
    client.post(
        f"/admin/funding/{ministry.id}",
        data={"budget-fiscal_year": "2028", "budget-amount": "5 000", "budget-warn_percent": "90"},
    )
    budget = db.session.scalar(select(FundingBudget).where(FundingBudget.fiscal_year == 2028))
    assert (budget.amount_cents, budget.warn_percent) == (500_000, 90)


def test_removing_an_expense_needs_confirmation(client, admin, ministry):
    spent, _ = funding.record_expense(admin, expense(ministry, 100))
    db.session.commit()
    spent_id = spent.id
    client.login(admin)
    assert client.post(f"/admin/funding/expenses/{spent_id}/remove").status_code == 200
    assert db.session.get(FundedExpense, spent_id) is not None
    client.post(f"/admin/funding/expenses/{spent_id}/remove", data=CONFIRMED)
    assert db.session.scalar(select(func.count(FundedExpense.id))) == 0
    assert db.session.scalar(select(FundingSource.name)) == "Ministry partnership money"


def test_two_expenses_at_once_cannot_both_pass_the_guard(app, admin, ministry):
    """Two administrators record 6,000 € each on a 10,000 € budget at the same moment:
    the budget row's lock orders them, so the second sees the first and is refused."""
    source_id, admin_id = ministry.id, admin.id
    barrier = threading.Barrier(2, timeout=30)
    outcomes = []

    def record() -> None:
        with app.app_context():
            try:
                actor = db.session.get(type(admin), admin_id)
                barrier.wait()
                funding.record_expense(
                    actor, funding.ExpenseInput(source_id, date(2027, 4, 1), 600_000, "Hotel")
                )
                db.session.commit()
                outcomes.append("recorded")
            except BudgetExceeded:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["recorded", "refused"]
    db.session.expire_all()
    assert db.session.scalar(select(func.sum(FundedExpense.amount_cents))) == 600_000

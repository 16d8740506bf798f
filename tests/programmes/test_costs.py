"""A programme's costs are paid from its funding source, guarded by that source's budget."""

from sqlalchemy import func, select

from lahti_pool.budget import funding
from lahti_pool.budget.models import FundedExpense
from lahti_pool.extensions import db


def _fund(admin, programme, today, budget_cents=100_000):
    source = funding.add_source(admin, "Ministry partnership money")
    funding.set_funding_budget(admin, source, today.year, budget_cents, 80)
    programme.funding_source_id = source.id
    db.session.commit()
    return source


def _post(client, programme, today, amount, reason=""):
    return client.post(
        f"/programmes/{programme.id}/costs",
        data={
            "cost-on_date": today.isoformat(),
            "cost-amount": amount,
            "cost-description": "Nature centre, module 3",
            "cost-override_reason": reason,
        },
    )


def test_the_organiser_records_a_cost_on_the_programmes_funding_source(
    client, admin, organiser, programme, today
):
    _fund(admin, programme, today)
    client.login(organiser)
    assert _post(client, programme, today, "450,50").status_code == 302
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Nature centre, module 3" in page
    (line,) = funding.funding_lines(today.year)
    assert line.used_cents == 45_050
    expense = db.session.scalar(select(FundedExpense))
    assert (expense.subject_type, expense.subject_id) == ("programme", programme.id)


def test_only_the_administrator_can_take_the_source_over_its_budget(
    client, admin, organiser, programme, today
):
    _fund(admin, programme, today, budget_cents=10_000)
    client.login(organiser)
    refused = _post(client, programme, today, "150", reason="Organiser says so")
    assert refused.status_code == 400
    assert "can accept it with a reason" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(FundedExpense.id))) == 0
    client.login(admin)
    assert _post(client, programme, today, "150", reason="Ministry adds money").status_code == 302
    assert db.session.scalar(select(func.count(FundedExpense.id))) == 1


def test_others_cannot_record_costs(client, admin, programme, today, make_user):
    _fund(admin, programme, today)
    client.login(make_user(name="Somebody"))
    assert _post(client, programme, today, "10").status_code == 403
    assert db.session.scalar(select(func.count(FundedExpense.id))) == 0

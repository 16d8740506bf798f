"""The budget page, the CLI and the statements with their exports agree to the cent."""

import csv
import io
import itertools
import re
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import delete, select, update

from lahti_pool.budget import statements
from lahti_pool.budget.cli import budget_command
from lahti_pool.budget.models import Budget, InvoiceStatement, SessionCost, StatementLine
from lahti_pool.budget.services import recompute_costs
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.organisation.models import Division, Unit
from lahti_pool.requests.services import (
    GroupRequestInput,
    RequestInput,
    submit_group_request,
    submit_individual_request,
)
from lahti_pool.sessions.models import (
    ApprovalStatus,
    SessionAttendance,
    SessionStatus,
    SupervisionSession,
)

YEAR = 2025
NOW = datetime(2026, 2, 1, tzinfo=UTC)
_clock = itertools.count()


def _accept(admin, sup_request, school_year, today):
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
    process = matching.accept_assignment(admin, assignment, today).process
    db.session.commit()
    return process


@pytest.fixture
def processes(admin, staff, make_user, supervisor, school_year, today):
    """An individual process (91.00 €) and a group split 2:1 between PERUS and VAKA."""
    vaka = Division(code="VAKA", name_fi="Varhaiskasvatus", name_en="Early education")
    unit = Unit(code="PAJ", name="Pajula", division=vaka)
    db.session.add_all([vaka, unit])
    db.session.commit()
    single = _accept(
        admin,
        submit_individual_request(
            make_user(),
            RequestInput(
                school_year_id=school_year.id,
                sessions=3,
                modes=("video",),
                language="fi",
                wanted_from=today,
            ),
            today,
        ),
        school_year,
        today,
    )
    members = [make_user(), make_user(unit_id=unit.id)]
    group_request = submit_group_request(
        staff,
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=3,
            modes=("video",),
            language="fi",
            wanted_from=today,
            group_name="Team",
            member_emails=tuple(m.email for m in members),
        ),
        today,
    )
    db.session.commit()
    return [single, _accept(admin, group_request, school_year, today)]


def _reset() -> None:
    """Each example starts from no sessions, statements or budgets."""
    db.session.execute(update(SupervisionSession).values(statement_id=None))
    for model in (
        StatementLine,
        InvoiceStatement,
        SessionCost,
        SessionAttendance,
        SupervisionSession,
        Budget,
    ):
        db.session.execute(delete(model))
    db.session.commit()


def _add_session(process, spec) -> None:
    month, day, status, approved = spec
    minute = next(_clock) % 600
    on_date = date(YEAR, month, day)
    sup_session = SupervisionSession(
        process=process,
        starts_at=datetime.combine(on_date, time(8 + minute // 60, minute % 60), tzinfo=UTC),
        on_date=on_date,
        duration_minutes=60,
        mode="video",
        status=status,
        approval=(
            ApprovalStatus.NOT_LOGGED
            if status == SessionStatus.PLANNED
            else ApprovalStatus.APPROVED
            if approved
            else ApprovalStatus.PENDING
        ),
        price_cents=process.price_cents,
        attendance=[SessionAttendance(user_id=m.user_id, attended=True) for m in process.members],
    )
    db.session.add(sup_session)
    db.session.flush()
    recompute_costs(sup_session)


def _page_figure(client, name: str, **args) -> int:
    page = client.get("/budget", query_string={"year": YEAR, **args}).get_data(as_text=True)
    return int(re.search(rf'id="{name}"><data value="(-?\d+)"', page).group(1))


def _cli_spent(app) -> int:
    output = app.test_cli_runner().invoke(budget_command, ["--year", str(YEAR)]).output
    euros = re.search(r"spent: +(-?[\d.]+) EUR", output).group(1)
    return int(Decimal(euros) * 100)


def _export_totals(client, statement_id: int) -> tuple[int, int]:
    """(net, vat) in cents from the CSV and, checked equal, from the XLSX."""
    text = client.get(f"/statements/{statement_id}.csv").get_data(as_text=True)
    total = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[-1]
    net, vat = (int(Decimal(total[i]) * 100) for i in (5, 7))
    book = load_workbook(io.BytesIO(client.get(f"/statements/{statement_id}.xlsx").data))
    last = list(book.worksheets[0].iter_rows(values_only=True))[-1]
    assert (int(Decimal(str(last[5])) * 100), int(Decimal(str(last[7])) * 100)) == (net, vat)
    return net, vat


sessions = st.lists(
    st.tuples(
        st.integers(0, 1),  # which process
        st.tuples(
            st.integers(1, 12),
            st.integers(1, 28),
            st.sampled_from(list(SessionStatus)),
            st.booleans(),  # approved, once logged
        ),
    ),
    max_size=8,
)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=sessions)
def test_page_cli_and_statements_agree_to_the_cent(
    app, client, admin, supervisor, division, processes, specs
):
    _reset()
    for which, spec in specs:
        _add_session(processes[which], spec)
    db.session.add(Budget(fiscal_year=YEAR, division_id=None, amount_cents=1_000_000))
    db.session.commit()
    client.login(admin)
    spent = _page_figure(client, "spent")
    assert _cli_spent(app) == spent

    billed = 0
    for month in range(1, 13):
        statement = statements.generate_statement(admin, supervisor, YEAR, month, NOW)
        if statement.lines:
            statements.send_statement(admin, statement, NOW)
        db.session.commit()
        net, vat = _export_totals(client, statement.id)
        assert (net, vat) == (statement.net_cents, statement.vat_cents)
        billed += net
    assert billed == spent
    # Per cost centre, the statement lines add up to the division's spent figure too.
    for div in db.session.scalars(select(Division)):
        lines = db.session.scalars(
            select(StatementLine.net_cents).where(StatementLine.division_code == div.code)
        ).all()
        assert sum(lines) == _page_figure(client, "spent", division=div.id)

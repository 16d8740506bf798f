"""Committed and spent in the database, the guard, approval, budgets, the page and the CLI."""

import itertools
import re
import threading
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import delete, func, select, update
from tests_support import counted_queries

from lahti_dev.scale.checks import invariant_violations
from lahti_pool.accounts.models import Role
from lahti_pool.budget import ledger
from lahti_pool.budget import services as budget_services
from lahti_pool.budget.cli import budget_command
from lahti_pool.budget.guard import BudgetExceeded, BudgetWarning, check_budget
from lahti_pool.budget.models import Budget, BudgetUsage, BudgetUsageChange, SessionCost
from lahti_pool.budget.queries import summary, top_units, totals
from lahti_pool.budget.services import BudgetInput, recompute_costs
from lahti_pool.core.audit import AuditEvent
from lahti_pool.core.errors import DomainError
from lahti_pool.core.outbox import MailMessage
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

CONFIDENTIAL = "I dread Monday staff meetings"


def accept(admin, sup_request, school_year, today):
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
    process = matching.accept_assignment(admin, assignment, today).process
    db.session.commit()
    return process


@pytest.fixture
def process(admin, staff, supervisor, school_year, today):
    """An individual process of ``staff`` with the supervisor: 91.00 € a session + 25.5 %."""
    sup_request = submit_individual_request(
        staff,
        RequestInput(
            school_year_id=school_year.id,
            sessions=6,
            modes=("video",),
            language="fi",
            wanted_from=today,
            answers={1: CONFIDENTIAL},
        ),
        today,
    )
    return accept(admin, sup_request, school_year, today)


@pytest.fixture
def other_division(ctx):
    div = Division(code="VAKA", name_fi="Varhaiskasvatus", name_en="Early education")
    db.session.add(div)
    db.session.add(Unit(code="PAJ", name="Pajulan päiväkoti", division=div))
    db.session.commit()
    return div


@pytest.fixture
def group_process(admin, staff, make_user, supervisor, other_division, school_year, today):
    """A group: staff + one colleague in PERUS, one member in VAKA; 150.00 € a session."""
    vaka_unit = db.session.scalar(select(Unit).where(Unit.code == "PAJ"))
    members = [make_user(), make_user(unit_id=vaka_unit.id)]
    sup_request = submit_group_request(
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
    return accept(admin, sup_request, school_year, today)


_clock = itertools.count()


def make_session(process, on_date, status=SessionStatus.HELD, approval=ApprovalStatus.APPROVED):
    """A session row as the sessions feature leaves it, with its costs."""
    minute = next(_clock) % 600
    sup_session = SupervisionSession(
        process=process,
        starts_at=datetime.combine(on_date, time(8 + minute // 60, minute % 60), tzinfo=UTC),
        on_date=on_date,
        duration_minutes=90 if len(process.members) > 1 else 60,
        mode="video",
        status=status,
        approval=approval,
        price_cents=process.price_cents,
        attendance=[
            SessionAttendance(
                user_id=m.user_id, attended=None if status == SessionStatus.PLANNED else True
            )
            for m in process.members
        ],
    )
    db.session.add(sup_session)
    db.session.flush()
    recompute_costs(sup_session)
    db.session.commit()
    return sup_session


# --- Committed, spent, New Year, cost split ---------------------------------------------


def test_committed_and_spent_follow_status_and_approval(process, division):
    year = 2026
    make_session(process, date(year, 3, 2), SessionStatus.PLANNED, ApprovalStatus.NOT_LOGGED)
    make_session(process, date(year, 3, 3))  # held, approved: spent
    make_session(process, date(year, 3, 4), SessionStatus.NO_SHOW)  # billable: spent
    make_session(process, date(year, 3, 5), approval=ApprovalStatus.PENDING)  # not yet
    make_session(process, date(year, 3, 6), SessionStatus.CANCELLED)  # costs nothing
    line = totals(year)[None]
    assert (line.committed_cents, line.spent_cents) == (9_100, 2 * 9_100)
    assert totals(year)[division.id].spent_cents == 2 * 9_100
    assert summary(year, None, date(year, 3, 31)).pending_cents == 9_100


def test_a_process_spanning_new_year_counts_each_session_in_the_year_of_its_date(process):
    make_session(process, date(2025, 12, 31))
    make_session(process, date(2026, 1, 2), SessionStatus.PLANNED, ApprovalStatus.NOT_LOGGED)
    assert (totals(2025)[None].spent_cents, totals(2025)[None].committed_cents) == (9_100, 0)
    assert (totals(2026)[None].spent_cents, totals(2026)[None].committed_cents) == (0, 9_100)


def test_a_group_session_is_charged_to_its_members_divisions(
    group_process, division, other_division
):
    make_session(group_process, date(2026, 2, 10))
    year = totals(2026)
    assert year[division.id].spent_cents == 10_000  # 2 of 3 attendees
    assert year[other_division.id].spent_cents == 5_000
    assert year[None].spent_cents == 15_000


# --- The guard ------------------------------------------------------------------------


def test_the_guard_warns_at_the_threshold_and_refuses_past_100_percent(admin, division):
    db.session.add(Budget(fiscal_year=2026, division_id=None, amount_cents=10_000))
    db.session.commit()
    assert check_budget(admin, 2026, {division.id: 7_000}) == []
    warnings = check_budget(admin, 2026, {division.id: 10_000})
    assert [w.percent for w in warnings] == [100]
    with pytest.raises(BudgetExceeded):
        check_budget(admin, 2026, {division.id: 10_001})


def test_the_guard_accepts_with_an_audited_override(admin, division):
    db.session.add(Budget(fiscal_year=2026, division_id=None, amount_cents=10_000))
    db.session.commit()
    check_budget(admin, 2026, {division.id: 12_000}, override_reason="Term ends; agreed")
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "budget.override"))
    assert event.actor_id == admin.id
    assert event.details["reason"] == "Term ends; agreed"
    assert event.details["added_cents"] == 12_000


# --- The ledger the guard reads ----------------------------------------------------------


def _used(year: int) -> tuple[int, int, int]:
    line = totals(year)[None]
    return line.committed_cents, line.awaiting_cents, line.spent_cents


def test_the_ledger_follows_a_session_through_every_kind_of_change(admin, process):
    """Each write the app or a hand-written statement makes moves the money in the same
    transaction; the ctx fixture also compares the ledger with the rows after every test."""
    planned = make_session(
        process, date(2026, 5, 4), SessionStatus.PLANNED, ApprovalStatus.NOT_LOGGED
    )
    assert _used(2026) == (9_100, 0, 0)
    planned.status, planned.approval = SessionStatus.HELD, ApprovalStatus.PENDING
    db.session.commit()
    assert _used(2026) == (0, 9_100, 0)
    budget_services.approve_sessions(admin, [planned], datetime.now(UTC))
    db.session.commit()
    assert _used(2026) == (0, 0, 9_100)
    # moved to another year by a bulk UPDATE, as a correction by hand would
    db.session.execute(
        update(SupervisionSession)
        .where(SupervisionSession.id == planned.id)
        .values(on_date=date(2027, 1, 4))
    )
    db.session.commit()
    assert (_used(2026), _used(2027)) == ((0, 0, 0), (0, 0, 9_100))
    db.session.execute(update(SessionCost).values(amount_cents=SessionCost.amount_cents + 1))
    db.session.commit()
    assert _used(2027) == (0, 0, 9_101)
    assert ledger.fold() > 0  # the changes move into the sums; the figures stay
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(BudgetUsageChange)) == 0
    assert (_used(2026), _used(2027)) == ((0, 0, 0), (0, 0, 9_101))
    db.session.execute(delete(SupervisionSession).where(SupervisionSession.id == planned.id))
    db.session.commit()
    assert _used(2027) == (0, 0, 0)
    assert ledger.differences() == []


def test_the_checks_catch_a_ledger_that_disagrees(process):
    make_session(process, date(2026, 5, 4))
    assert ledger.fold() == 1
    db.session.commit()
    db.session.execute(update(BudgetUsage).values(spent_cents=BudgetUsage.spent_cents + 1))
    db.session.commit()
    assert ledger.differences() == [
        f"(2026, {process.members[0].user.unit.division_id}): "
        "ledger (0, 9101, 0), rows (0, 9100, 0)"
    ]
    assert invariant_violations()["budget_usage_differs"] == 1
    db.session.execute(update(BudgetUsage).values(spent_cents=BudgetUsage.spent_cents - 1))
    db.session.commit()
    assert invariant_violations()["budget_usage_differs"] == 0


def test_crossing_changes_to_two_divisions_money_cannot_deadlock(
    app, database_url, process, other_division
):
    """Two transactions each change a session of one division, then one of the other,
    in opposite orders (a supervisor logging while the administrator approves). Had the
    triggers updated a row per division, each would hold the row the other waits for and
    PostgreSQL would abort one; the triggers only append, so both commit."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: the second waits, no row locks cross")
    sessions = [
        make_session(process, date(2026, 6, day), approval=ApprovalStatus.PENDING)
        for day in (1, 2, 3, 4)
    ]
    for moved in sessions[2:]:
        db.session.execute(
            update(SessionCost)
            .where(SessionCost.session_id == moved.id)
            .values(division_id=other_division.id)
        )
    db.session.commit()
    own, other = [s.id for s in sessions[:2]], [s.id for s in sessions[2:]]
    barrier = threading.Barrier(2, timeout=30)
    failures = []

    def approve(first: int, then: int) -> None:
        with app.app_context():
            try:
                for i, session_id in enumerate((first, then)):
                    db.session.execute(
                        update(SupervisionSession)
                        .where(SupervisionSession.id == session_id)
                        .values(approval=ApprovalStatus.APPROVED)
                    )
                    if i == 0:
                        barrier.wait()
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the test reports any failure
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=approve, args=(own[0], other[0])),
        threading.Thread(target=approve, args=(other[1], own[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    db.session.expire_all()
    assert _used(2026) == (0, 0, 4 * 9_100)


def test_the_guard_reads_the_ledger_not_the_years_sessions(admin, process, division):
    make_session(process, date(2026, 5, 4))
    db.session.add(Budget(fiscal_year=2026, division_id=None, amount_cents=20_000))
    db.session.commit()
    with counted_queries() as statements, pytest.raises(BudgetExceeded):
        check_budget(admin, 2026, {division.id: 11_000})
    assert not [s for s in statements if "session_costs" in s or "supervision_sessions" in s]
    assert check_budget(admin, 2026, {division.id: 10_900}) == [BudgetWarning(None, 100)]


def test_past_the_threshold_each_booking_finds_the_warning_mail_already_queued(admin, division):
    """The warning e-mail goes once; later checks under the lock neither render nor insert."""
    db.session.add(Budget(fiscal_year=2026, division_id=None, amount_cents=10_000))
    db.session.commit()
    assert check_budget(admin, 2026, {division.id: 9_000}) == [BudgetWarning(None, 90)]
    db.session.commit()
    with counted_queries() as statements:
        assert check_budget(admin, 2026, {division.id: 9_000}) == [BudgetWarning(None, 90)]
    assert not [s for s in statements if f"INSERT INTO {MailMessage.__tablename__}" in s]
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(MailMessage)) == 1


# --- Approval -------------------------------------------------------------------------


def test_bulk_approval_counts_the_sessions_as_spent_and_is_audited(client, admin, process):
    a = make_session(process, date(2026, 4, 1), approval=ApprovalStatus.PENDING)
    b = make_session(process, date(2026, 4, 2), approval=ApprovalStatus.PENDING)
    client.login(admin)
    response = client.post("/admin/approvals/approve", data={"session_ids": [a.id, b.id]})
    assert response.status_code == 302
    assert totals(2026)[None].spent_cents == 2 * 9_100
    assert {db.session.get(SupervisionSession, i).approval for i in (a.id, b.id)} == {
        ApprovalStatus.APPROVED
    }
    audited = db.session.scalars(
        select(AuditEvent.object_id).where(AuditEvent.action == "session.approved")
    ).all()
    assert sorted(audited) == sorted([a.id, b.id])


def test_one_session_is_approved_with_its_own_button(client, admin, process):
    a = make_session(process, date(2026, 4, 1), approval=ApprovalStatus.PENDING)
    b = make_session(process, date(2026, 4, 2), approval=ApprovalStatus.PENDING)
    client.login(admin)
    client.post("/admin/approvals/approve", data={"session_ids": [a.id, b.id], "only": b.id})
    assert db.session.get(SupervisionSession, a.id).approval == ApprovalStatus.PENDING
    assert db.session.get(SupervisionSession, b.id).approval == ApprovalStatus.APPROVED


def test_returning_a_session_needs_a_reason(client, admin, process):
    s = make_session(process, date(2026, 4, 1), approval=ApprovalStatus.PENDING)
    client.login(admin)
    page = client.post(
        f"/admin/approvals/{s.id}/return", data={"reason": " "}, follow_redirects=True
    )
    assert "What should the supervisor correct?" in page.get_data(as_text=True)
    assert db.session.get(SupervisionSession, s.id).approval == ApprovalStatus.PENDING
    client.post(f"/admin/approvals/{s.id}/return", data={"reason": "Attendance missing"})
    s = db.session.get(SupervisionSession, s.id)
    assert (s.approval, s.return_reason) == (ApprovalStatus.RETURNED, "Attendance missing")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.returned"))
    assert event.object_id == s.id


def test_an_approved_session_cannot_be_approved_or_returned_again(admin, process):
    s = make_session(process, date(2026, 4, 1))
    with pytest.raises(DomainError):
        budget_services.approve_sessions(admin, [s], datetime.now(UTC))
    with pytest.raises(DomainError):
        budget_services.return_session(admin, s, "x")


def test_the_approval_list_shows_pending_sessions_without_answers_or_client_names(
    client, admin, staff, process, make_supervisor
):
    pending = make_session(process, date(2026, 5, 4), approval=ApprovalStatus.PENDING)
    make_session(process, date(2026, 5, 5))  # approved already
    client.login(admin)
    page = client.get("/admin/approvals").get_data(as_text=True)
    assert process.reference in page
    assert f'value="{pending.id}"' in page
    assert "1 session awaits approval" in page
    assert CONFIDENTIAL not in page
    assert staff.name not in page
    other = make_supervisor(name="Other Supervisor", rank=9)
    filtered = client.get("/admin/approvals", query_string={"supervisor": other.id})
    assert process.reference not in filtered.get_data(as_text=True)
    by_month = client.get("/admin/approvals", query_string={"month": "2026-06"})
    assert process.reference not in by_month.get_data(as_text=True)
    by_month = client.get("/admin/approvals", query_string={"month": "2026-05"})
    assert process.reference in by_month.get_data(as_text=True)


# --- Budgets --------------------------------------------------------------------------


def test_setting_a_budget_is_audited_with_old_and_new(client, admin, division):
    client.login(admin)
    data = {"fiscal_year": 2026, "division": division.id, "amount": "40000.00", "warn_percent": 80}
    assert client.post("/admin/budgets", data=data).status_code == 302
    client.post("/admin/budgets", data=data | {"amount": "42500.50", "warn_percent": 90})
    budget = db.session.scalar(select(Budget))
    assert (budget.amount_cents, budget.warn_percent) == (4_250_050, 90)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "budget.set").order_by(AuditEvent.id)
    ).all()
    assert events[-1].details["old_amount_cents"] == 4_000_000
    assert events[-1].details["new_amount_cents"] == 4_250_050
    assert events[0].details["old_amount_cents"] is None


def test_a_budget_in_fractions_of_a_cent_is_refused(client, admin):
    client.login(admin)
    page = client.post(
        "/admin/budgets",
        data={"fiscal_year": 2026, "division": 0, "amount": "10.005", "warn_percent": 80},
    )
    assert page.status_code == 200
    assert db.session.scalar(select(Budget)) is None


def test_set_budget_for_the_pool_and_a_division(admin, division):
    budget_services.set_budget(admin, BudgetInput(2026, None, 4_000_000))
    budget_services.set_budget(admin, BudgetInput(2026, division.id, 3_000_000, 90))
    line = totals(2026)
    assert (line[None].budget_cents, line[division.id].budget_cents) == (4_000_000, 3_000_000)
    assert line[division.id].warn_percent == 90


# --- The page, the chart and the CLI ----------------------------------------------------


def figure(page: str, name: str) -> int:
    return int(re.search(rf'id="{name}"><data value="(-?\d+)"', page).group(1))


def test_the_budget_page_shows_the_figures_and_the_method(client, admin, process, today):
    year = today.year
    budget_services.set_budget(admin, BudgetInput(year, None, 100_000))
    make_session(process, date(year, 1, 5))
    make_session(process, date(year, 12, 30), SessionStatus.PLANNED, ApprovalStatus.NOT_LOGGED)
    db.session.commit()
    client.login(admin)
    page = client.get("/budget", query_string={"year": year}).get_data(as_text=True)
    assert figure(page, "budget") == 100_000
    assert figure(page, "spent") == 9_100
    assert figure(page, "committed") == 9_100
    assert figure(page, "remaining") == 100_000 - 2 * 9_100
    assert "How the forecast is made" in page and "June and July" in page
    assert '<caption id="overview-table-1">Cumulative money by month' in page
    assert 'src="/budget/chart.svg?year=' in page


def test_the_chart_is_an_svg_image_without_scripts(client, admin, process, today):
    make_session(process, date(today.year, 1, 5))
    client.login(admin)
    response = client.get("/budget/chart.svg", query_string={"year": today.year})
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and "<script" not in svg
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_reports_users_see_aggregates_but_no_names(
    client, reports_user, admin, staff, process, supervisor, today
):
    make_session(process, date(today.year, 1, 5))
    client.login(reports_user)
    page = client.get("/budget").get_data(as_text=True)
    assert figure(page, "spent") == 9_100
    for name in (staff.name, supervisor.name, admin.name):
        assert name not in page
    # One client only stands behind the unit: it is not listed for development services.
    assert "Kivimaan koulu" not in page
    client.login(admin)
    assert "Kivimaan koulu" in client.get("/budget").get_data(as_text=True)


def test_top_units_count_sessions_in_sql(process, group_process, today):
    make_session(process, date(today.year, 2, 1))
    make_session(group_process, date(today.year, 2, 2))
    units = top_units(today.year)
    assert [(u.code, n) for u, n, _people in units] == [("KIV", 2), ("PAJ", 1)]


def test_a_renamed_unit_shows_at_once_among_the_top_units(client, admin, process, unit, today):
    make_session(process, date(today.year, 2, 1))
    db.session.commit()
    client.login(admin)
    assert "Kivimaan koulu" in client.get("/budget").get_data(as_text=True)  # now cached
    unit.name = "Kivimäen yhtenäiskoulu"
    db.session.commit()
    page = client.get("/budget").get_data(as_text=True)
    assert "Kivimäen yhtenäiskoulu" in page and "Kivimaan koulu" not in page


def test_the_cli_prints_the_same_summary(app, admin, process, today):
    budget_services.set_budget(admin, BudgetInput(2026, None, 50_000))
    make_session(process, date(2026, 2, 3))
    db.session.commit()
    result = app.test_cli_runner().invoke(budget_command, ["--year", "2026"])
    assert result.exit_code == 0, result.output
    assert "budget:             500.00 EUR" in result.output
    assert "spent:              91.00 EUR" in result.output
    assert "remaining:          409.00 EUR" in result.output
    assert "Forecast method" in result.output
    bad = app.test_cli_runner().invoke(budget_command, ["--year", "2026", "--division", "NOPE"])
    assert bad.exit_code != 0


def test_the_cli_is_registered_under_flask_pool(app):
    result = app.test_cli_runner().invoke(args=["pool", "budget", "--help"])
    assert result.exit_code == 0 and "--year" in result.output
    assert Role.ADMIN  # the page's figures are the administrator's; the CLI is theirs too


def test_the_budget_pages_render_in_finnish(client, admin, process, supervisor, today):
    make_session(process, date(today.year, 1, 5), approval=ApprovalStatus.PENDING)
    client.login(admin)
    with client.session_transaction() as session:
        session["lang"] = "fi"
    for url in ("/budget", "/admin/approvals", "/admin/budgets", "/admin/statements"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'lang="fi"' in response.get_data(as_text=True)
    assert client.get("/budget/chart.svg").status_code == 200


# --- The cache of the budget page's sums ----------------------------------------------


def _spent_cents(page: str) -> int:
    return int(re.search(r'id="spent"><data value="(\d+)"', page).group(1))


def test_the_budget_page_reuses_its_sums_until_a_session_changes(
    app, client, admin, process, today
):
    from sqlalchemy import update

    from lahti_pool.core.versions import DataVersion

    make_session(process, date(today.year, 2, 1))
    client.login(admin)
    with counted_queries() as statements:
        first = client.get("/budget").get_data(as_text=True)
        sums_first = sum("session_costs" in s for s in statements)
        statements.clear()
        again = client.get("/budget").get_data(as_text=True)
        sums_again = sum("session_costs" in s for s in statements)
        assert sums_first >= 2 and sums_again == 0  # the sums come from the cache
        assert _spent_cents(again) == _spent_cents(first) == 9100

        version = db.session.get(DataVersion, "sessions").version
        # A conditional UPDATE that changes no row does not invalidate anything.
        db.session.execute(
            update(SupervisionSession)
            .where(SupervisionSession.id == -1)
            .values(status=SessionStatus.HELD)
        )
        db.session.commit()
        assert db.session.get(DataVersion, "sessions").version == version
        # A rolled-back write does not either.
        draft = SupervisionSession(
            process=process,
            starts_at=datetime(today.year, 3, 1, 8, tzinfo=UTC),
            on_date=date(today.year, 3, 1),
            duration_minutes=60,
            mode="video",
            price_cents=process.price_cents,
        )
        db.session.add(draft)
        db.session.flush()
        db.session.rollback()
        assert db.session.get(DataVersion, "sessions").version == version

        # Another approved session: the very next page shows it.
        make_session(process, date(today.year, 2, 8))
        assert db.session.get(DataVersion, "sessions").version == version + 1
        statements.clear()
        after = client.get("/budget").get_data(as_text=True)
        assert sum("session_costs" in s for s in statements) >= 2
    assert _spent_cents(after) == 2 * 9100
    assert summary(today.year, None, today).totals.spent_cents == 2 * 9100


def test_every_data_version_group_has_its_row(ctx):
    from lahti_pool.core.versions import GROUPS, DataVersion

    names = set(db.session.scalars(select(DataVersion.name)))
    assert names == set(GROUPS)


def test_a_big_citys_pool_budget_fits(client, admin, today):
    client.login(admin)
    data = {"fiscal_year": today.year, "division": 0, "amount": "30000000.00", "warn_percent": 80}
    assert client.post("/admin/budgets", data=data).status_code == 302
    budget = db.session.scalar(select(Budget).where(Budget.fiscal_year == today.year))
    assert budget.amount_cents == 3_000_000_000  # over 2**31: a 64-bit column


def test_the_chart_follows_a_new_budget_and_the_language(client, admin, process, today):
    """The drawn chart is kept per data version and language, never shown stale."""
    year = today.year
    make_session(process, date(year, 1, 5))
    db.session.commit()
    client.login(admin)

    def chart(lang="en") -> str:
        response = client.get(
            "/budget/chart.svg", query_string={"year": year}, headers={"Accept-Language": lang}
        )
        return response.get_data(as_text=True)

    assert ">Budget<" not in chart()  # no budget line yet
    budget_services.set_budget(admin, BudgetInput(year, None, 100_000))
    db.session.commit()
    assert ">Budget<" in chart()
    assert ">Budjetti<" in chart("fi") and ">Budget<" not in chart("fi")

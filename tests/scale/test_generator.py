"""The city-scale generator: proportions, reproducibility, consistent counters, known logins."""

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, text, update
from tests_support import empty_all_tables

from lahti_dev.demo import DEMO_PASSWORD
from lahti_dev.scale import DatabaseNotEmpty, generate_city
from lahti_dev.scale.checks import invariant_violations
from lahti_pool.accounts.models import Role, User
from lahti_pool.budget import ledger
from lahti_pool.budget.models import BudgetUsage
from lahti_pool.extensions import db
from lahti_pool.matching.models import MatchingRun, RunStatus
from lahti_pool.matching.services import accept_all
from lahti_pool.requests.models import QuotaAccount, SupervisionRequest
from lahti_pool.requests.rules import OPEN_STATUSES, RequestStatus
from lahti_pool.sessions import services as session_services
from lahti_pool.sessions.models import SessionStatus, SupervisionProcess, SupervisionSession
from lahti_pool.supervisors.models import Supervisor

#: a day in the spring term, so the current year has a long past and a future
SPRING_DAY = date(2026, 3, 18)
KNOWN = ("admin", "reports", "staff", "supervisor")


def _scalar(sql: str, **params) -> int:
    return db.session.execute(text(sql), params).scalar()


def _share(sql_part: str, sql_whole: str) -> float:
    return _scalar(sql_part) / _scalar(sql_whole)


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{login}@city.example.fi"))


def _checksum() -> str:
    """A digest of some tables' content (not their ids' order alone)."""
    digest = hashlib.sha256()
    for sql in (
        "SELECT email, name, unit_id FROM users ORDER BY id",
        "SELECT process_id, starts_at, status, approval, price_cents FROM supervision_sessions "
        "ORDER BY id",
        "SELECT session_id, division_id, amount_cents FROM session_costs ORDER BY id",
        "SELECT user_id, school_year_id, pending, reserved, used FROM quota_accounts ORDER BY id",
    ):
        for row in db.session.execute(text(sql)):
            digest.update(repr(tuple(str(v) for v in row)).encode())
    return digest.hexdigest()


def test_a_tiny_city_has_every_kind_of_object(ctx):
    counts = generate_city(factor=0.002, today=SPRING_DAY)

    assert counts["divisions"] == 2
    assert counts["units"] == 3
    assert counts["supervisors"] == 5
    assert 100 <= counts["users"] <= 115
    for table in (
        "school_years",
        "framework_agreements",
        "supervision_requests",
        "request_members",
        "request_events",
        "supervision_processes",
        "supervision_sessions",
        "session_attendance",
        "session_costs",
        "invoice_statements",
        "statement_lines",
        "feedback_invitations",
        "feedback_responses",
        "on_duty_slots",
        "budgets",
        "quota_accounts",
        "supervisor_loads",
        "matching_runs",
        "pre_question_answers",
        "group_offers",
    ):
        assert counts.get(table, 0) > 0, table
    assert counts["school_years"] == 5
    assert 1_000 <= counts["supervision_sessions"] <= 3_000
    roles = dict(
        db.session.execute(text("SELECT role, COUNT(*) FROM user_roles GROUP BY role")).all()
    )
    assert roles["supervisor"] == 5 and roles["admin"] >= 1 and roles["reports"] >= 1
    for login, role in zip(
        KNOWN, (Role.ADMIN, Role.REPORTS, Role.STAFF, Role.SUPERVISOR), strict=True
    ):
        assert _user(login).roles == {role}


def test_the_city_scales_linearly_and_keeps_its_proportions(ctx):
    small = generate_city(factor=0.002, today=SPRING_DAY)
    db.session.remove()
    empty_all_tables()
    large = generate_city(factor=0.02, today=SPRING_DAY)

    for table in (
        "users",
        "supervision_requests",
        "supervision_processes",
        "supervision_sessions",
        "feedback_responses",
        "quota_accounts",
    ):
        assert 7 <= large[table] / small[table] <= 13, (table, small[table], large[table])
    assert large["units"] == 30 and large["supervisors"] == 10

    staff = _scalar("SELECT COUNT(*) FROM user_roles WHERE role = 'staff'")
    # The four finished years: about 4 sessions per staff member a year (1M at factor 1)
    finished = _scalar(
        "SELECT COUNT(*) FROM supervision_sessions s JOIN supervision_processes p "
        "ON p.id = s.process_id WHERE p.school_year_id < 5"
    )
    assert 3.2 <= finished / staff / 4 <= 4.8
    sessions = dict(
        db.session.execute(
            text(
                "SELECT p.kind, COUNT(*) FROM supervision_sessions s JOIN supervision_processes p "
                "ON p.id = s.process_id GROUP BY p.kind"
            )
        ).all()
    )
    total = sum(sessions.values())
    assert 0.55 <= sessions["individual"] / total <= 0.85
    assert 0.08 <= sessions["on_duty"] / total <= 0.30
    assert 0.04 <= sessions["group"] / total <= 0.20
    assert (
        0.80
        <= _share(
            "SELECT COUNT(*) FROM supervision_sessions WHERE status = 'held'",
            "SELECT COUNT(*) FROM supervision_sessions WHERE status <> 'planned'",
        )
        <= 0.92
    )
    assert (
        0.25
        <= _share(
            "SELECT COUNT(*) FROM feedback_invitations WHERE answered = true",
            "SELECT COUNT(*) FROM feedback_invitations",
        )
        <= 0.40
    )
    assert (
        0.55
        <= _share(
            "SELECT COUNT(*) FROM on_duty_slots WHERE status = 'booked'",
            "SELECT COUNT(*) FROM on_duty_slots",
        )
        <= 0.80
    )
    # Every history year is finished: no request waits, no process is open.
    assert not _scalar(
        "SELECT COUNT(*) FROM supervision_requests WHERE school_year_id < 5 "
        "AND status IN ('submitted', 'matched', 'waitlisted', 'group_offered')"
    )
    assert not _scalar(
        "SELECT COUNT(*) FROM supervision_processes WHERE school_year_id < 5 AND status = 'active'"
    )
    # The current year is in progress, with a bounded queue (400 at factor 1).
    waiting = _scalar(
        "SELECT COUNT(*) FROM supervision_requests WHERE school_year_id = 5 "
        "AND status IN ('submitted', 'matched', 'waitlisted', 'group_offered')"
    )
    assert 3 <= waiting <= 20
    assert _scalar("SELECT COUNT(*) FROM supervision_sessions WHERE status = 'planned'") > 0
    assert _scalar("SELECT COUNT(*) FROM supervision_sessions WHERE approval = 'pending'") > 0
    # Groups across units and across divisions (the Harju model), and covision.
    assert _scalar(
        "SELECT COUNT(*) FROM (SELECT m.process_id FROM process_members m "
        "JOIN users u ON u.id = m.user_id JOIN units n ON n.id = u.unit_id "
        "GROUP BY m.process_id HAVING COUNT(DISTINCT n.division_id) > 1) x"
    )
    assert _scalar("SELECT COUNT(*) FROM supervision_sessions WHERE is_covision = true")


def test_the_same_seed_makes_the_same_city_and_another_seed_another(ctx):
    generate_city(factor=0.002, seed=7, today=SPRING_DAY)
    first = _checksum()
    for seed, same in ((7, True), (8, False)):
        db.session.remove()
        empty_all_tables()
        generate_city(factor=0.002, seed=seed, today=SPRING_DAY)
        assert (_checksum() == first) is same


def _python_checks(today: date) -> None:
    """What the SQL checks leave out: VAT totals, sent months billed, budgets per year."""
    from lahti_pool.budget.models import InvoiceStatement
    from lahti_pool.budget.rules import vat_cents

    for statement in db.session.scalars(select(InvoiceStatement)):
        assert statement.net_cents == sum(li.net_cents for li in statement.lines)
        assert statement.vat_cents == sum(
            vat_cents(li.net_cents, li.vat_percent) for li in statement.lines
        )
    # Approved billable sessions of months whose statements were sent are on one.
    unbilled = db.session.execute(
        text(
            "SELECT s.on_date FROM supervision_sessions s WHERE s.approval = 'approved' "
            "AND s.status IN ('held', 'no_show', 'late_cancelled') AND s.is_covision = false "
            "AND s.price_cents > 0 AND s.statement_id IS NULL"
        )
    ).scalars()
    sent_before = today.replace(day=1) - timedelta(days=40)
    assert not [
        d for d in unbilled if (d if isinstance(d, date) else date.fromisoformat(d)) < sent_before
    ]
    years = {y for (y,) in db.session.execute(text("SELECT DISTINCT fiscal_year FROM budgets"))}
    assert today.year in years and len(years) >= 5


def test_every_counter_agrees_with_the_rows_and_the_app_can_go_on(ctx):
    today = date.today()
    generate_city(factor=0.01, today=today)
    assert set(invariant_violations().values()) == {0}
    _python_checks(today)

    # The open proposal is fresh: the administrator accepts it all (capacity, quota,
    # budget and ids all have room), and the supervisor plans and logs as usual.
    admin = _user("admin")
    run = db.session.scalar(select(MatchingRun).where(MatchingRun.status == RunStatus.PROPOSED))
    assert accept_all(admin, run, today) >= 1
    db.session.commit()
    supervisor = _user("supervisor")
    process = db.session.scalar(
        select(SupervisionProcess)
        .join(Supervisor)
        .where(Supervisor.user_id == supervisor.id, SupervisionProcess.status == "active")
        .where(SupervisionProcess.kind == "individual")
        .order_by(SupervisionProcess.id)
    )
    counted = sum(s.status == SessionStatus.PLANNED or s.is_billable for s in process.sessions)
    if counted < process.sessions_granted:
        now = datetime.now(UTC)
        data = session_services.SessionInput(
            on_date=today + timedelta(days=3), at=time(7, 15), duration_minutes=60, mode="video"
        )
        session_services.plan_session(supervisor, process, data, now)
        db.session.commit()
    past = db.session.scalar(
        select(SupervisionSession)
        .join(SupervisionProcess)
        .join(Supervisor)
        .where(
            Supervisor.user_id == supervisor.id,
            SupervisionProcess.kind != "on_duty",
            SupervisionSession.status == SessionStatus.PLANNED,
            SupervisionSession.starts_at < datetime.now(UTC),
        )
        .order_by(SupervisionSession.id)
        .limit(1)
    )
    if past is not None:
        session_services.log_session(
            supervisor,
            past,
            session_services.LogInput(
                outcome=SessionStatus.HELD,
                duration_minutes=60,
                attendee_ids=frozenset(past.process.client_ids),
            ),
            datetime.now(UTC),
        )
        db.session.commit()
    assert set(invariant_violations().values()) == {0}


def test_the_budget_ledger_is_filled_and_kept_after_a_load(ctx):
    """The load sets the ledger's triggers aside and fills it once: afterwards they are
    back, so a change made by the app or by hand still moves the money."""
    triggers = _trigger_names()
    generate_city(factor=0.002, today=SPRING_DAY)
    assert _trigger_names() == triggers and len(triggers) >= 3
    assert db.session.scalar(select(func.count()).select_from(BudgetUsage)) > 0
    assert ledger.differences() == []
    planned = db.session.scalar(
        select(SupervisionSession)
        .where(SupervisionSession.status == SessionStatus.PLANNED, SupervisionSession.costs.any())
        .limit(1)
    )
    db.session.execute(
        update(SupervisionSession)
        .where(SupervisionSession.id == planned.id)
        .values(status=SessionStatus.CANCELLED_BY_SUPERVISOR)
    )
    db.session.commit()
    assert ledger.differences() == []  # the costs left "committed" with the status


def _trigger_names() -> list[str]:
    if db.engine.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    return sorted(db.session.scalars(text(sql)))


def test_the_checks_catch_a_counter_that_disagrees(ctx):
    generate_city(factor=0.002, today=SPRING_DAY)
    db.session.execute(
        update(QuotaAccount)
        .where(QuotaAccount.used > 0, QuotaAccount.used < 10)
        .values(used=QuotaAccount.used - 1)
    )
    db.session.execute(update(Supervisor).values(active_processes=0))
    db.session.commit()
    found = invariant_violations()
    assert found["quota_accounts_differ"] > 0
    assert found["active_processes_differ"] > 0


def test_the_known_staff_member_and_supervisor_have_their_story(ctx):
    generate_city(factor=0.002, today=SPRING_DAY)
    staff, supervisor = _user("staff"), _user("supervisor")
    kinds = db.session.execute(
        select(SupervisionProcess.kind, SupervisionProcess.status)
        .join(SupervisionProcess.members)
        .where(text("process_members.user_id = :u"), SupervisionProcess.school_year_id == 5),
        {"u": staff.id},
    ).all()
    assert ("individual", "active") in [(str(k), str(s)) for k, s in kinds]
    assert sum(str(k) == "on_duty" for k, _ in kinds) == 2
    assert db.session.scalar(
        select(func.count())
        .select_from(SupervisionRequest)
        .where(
            SupervisionRequest.status.in_(OPEN_STATUSES),
            SupervisionRequest.id.in_(
                text("SELECT request_id FROM request_members WHERE user_id = :u").bindparams(
                    u=staff.id
                )
            ),
        )
    )
    assert _scalar(
        "SELECT COUNT(*) FROM feedback_invitations WHERE user_id = :u AND answered = false",
        u=staff.id,
    )
    mine = "JOIN supervision_processes p ON p.id = s.process_id JOIN supervisors v "
    mine += "ON v.id = p.supervisor_id WHERE v.user_id = :u AND p.school_year_id = 5"
    for condition in ("s.status = 'planned'", "s.status = 'held'", "s.approval = 'pending'"):
        assert _scalar(
            f"SELECT COUNT(*) FROM supervision_sessions s {mine} AND {condition}",  # noqa: S608
            u=supervisor.id,
        ), condition
    assert _scalar(
        "SELECT COUNT(*) FROM on_duty_slots o JOIN supervisors v ON v.id = o.supervisor_id "
        "WHERE v.user_id = :u AND o.on_date > :d",
        u=supervisor.id,
        d=SPRING_DAY,
    )
    account = db.session.scalar(
        select(QuotaAccount).where(
            QuotaAccount.user_id == staff.id, QuotaAccount.school_year_id == 5
        )
    )
    assert account.state().available >= 0 and account.used > 0 and account.reserved > 0


def test_the_known_logins_see_their_pages(client):
    generate_city(factor=0.002)
    staff = _user("staff")
    own_request = db.session.scalar(
        select(SupervisionRequest.id)
        .where(SupervisionRequest.requester_id == staff.id)
        .order_by(SupervisionRequest.id.desc())
    )
    invitation = _scalar(
        "SELECT MIN(id) FROM feedback_invitations WHERE user_id = :u AND answered = false",
        u=staff.id,
    )
    supervisor = _user("supervisor")
    process = _scalar(
        "SELECT MAX(p.id) FROM supervision_processes p JOIN supervisors v "
        "ON v.id = p.supervisor_id WHERE v.user_id = :u",
        u=supervisor.id,
    )
    pages = {
        "staff": [
            "/dashboard",
            f"/requests/{own_request}",
            "/my-sessions",
            "/slots/",
            "/slots/mine",
            "/supervisors/",
            "/account/",
        ]
        + ([f"/feedback/{invitation}"] if invitation else []),
        "admin": [
            "/admin/matching/",
            "/admin/matching/capacity",
            "/admin/approvals",
            "/admin/requests",
            "/admin/statements",
            "/admin/supervisors/",
            "/budget",
            "/slots/utilisation",
        ],
        "reports": ["/reports/feedback", "/budget", "/slots/utilisation"],
        "supervisor": [
            "/workspace",
            "/slots/manage",
            "/statements",
            "/feedback/mine",
            f"/processes/{process}",
        ],
    }
    for login, urls in pages.items():
        client.login(_user(login))
        for url in urls:
            assert client.get(url).status_code == 200, (login, url)
        client.post("/logout")


def test_the_known_logins_use_the_demo_password(client):
    generate_city(factor=0.002)
    response = client.post(
        "/login", data={"email": "supervisor@city.example.fi", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/workspace").status_code == 200


def test_the_command_generates_and_prints_the_known_logins(ctx):
    result = ctx.test_cli_runner().invoke(args=["pool", "demo", "--factor", "0.002", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert re.search(r"\d+ sessions", result.output)
    for login in KNOWN:
        assert f"{login}@city.example.fi" in result.output
    assert DEMO_PASSWORD in result.output
    assert db.session.scalar(select(func.count()).select_from(Supervisor)) == 5


def test_the_command_refuses_a_database_that_has_users(ctx, staff):
    result = ctx.test_cli_runner().invoke(args=["pool", "demo", "--scale", "city"])
    assert result.exit_code != 0
    assert "empty database" in result.output and "flask db upgrade" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    with pytest.raises(DatabaseNotEmpty):
        generate_city(factor=0.002)


def test_the_command_refuses_in_production(ctx):
    ctx.config["ENV_NAME"] = "production"
    try:
        result = ctx.test_cli_runner().invoke(args=["pool", "demo", "--factor", "0.002"])
    finally:
        ctx.config["ENV_NAME"] = "testing"
    assert result.exit_code != 0
    assert "production" in result.output
    assert not db.session.scalar(select(func.count()).select_from(User))


def test_a_seed_without_a_generated_city_is_refused(ctx):
    result = ctx.test_cli_runner().invoke(args=["pool", "demo", "--seed", "3"])
    assert result.exit_code != 0
    assert "--scale city" in result.output


def test_open_requests_hold_their_sessions(ctx):
    generate_city(factor=0.002, today=SPRING_DAY)
    waiting = db.session.scalars(
        select(SupervisionRequest).where(SupervisionRequest.status.in_(OPEN_STATUSES))
    ).all()
    assert waiting
    assert {r.status for r in waiting} >= {RequestStatus.SUBMITTED, RequestStatus.MATCHED}
    assert all(r.events[-1].to_status == r.status for r in waiting)

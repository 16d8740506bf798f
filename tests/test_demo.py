"""``flask pool demo``: a believable city, idempotent, with consistent quota counters."""

import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from lahti_pool.accounts.models import Role, User, UserRole
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division, Unit
from lahti_pool.requests.models import (
    MemberStatus,
    QuotaAccount,
    RequestKind,
    RequestMember,
    SupervisionRequest,
)
from lahti_pool.requests.quota import outside_quota
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.supervisors.models import Supervisor


@pytest.fixture
def run_demo(ctx):
    def run():
        result = ctx.test_cli_runner().invoke(args=["pool", "demo"])
        assert result.exit_code == 0, result.output
        return result.output

    return run


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _counts() -> dict[str, int]:
    return {
        model.__name__: _count(model)
        for model in (Division, Unit, User, UserRole, Supervisor, SupervisionRequest, QuotaAccount)
    }


def test_demo_is_idempotent(run_demo):
    run_demo()
    first = _counts()
    output = run_demo()
    assert _counts() == first
    assert "everything was already there" in output


def test_demo_creates_a_believable_city(run_demo):
    run_demo()
    city = select(func.count()).select_from(Division).where(Division.organisation_id.is_(None))
    assert db.session.scalar(city) == 3
    # and two guest organisations, each with its division (cost centre) and one unit
    assert _count(Division) == 5
    assert 37 <= _count(Unit) <= 47
    assert _count(Supervisor) == 18
    roles = Counter(db.session.scalars(select(UserRole.role)))
    assert 450 <= roles[Role.STAFF] <= 550
    assert (roles[Role.SUPERVISOR], roles[Role.ADMIN], roles[Role.REPORTS]) == (18, 1, 1)
    assert roles[Role.GUEST] == 2
    assert "Kivimaan koulu" in db.session.scalars(select(Unit.name)).all()
    supervisors = db.session.scalars(select(Supervisor)).all()
    assert sorted(s.rank for s in supervisors) == list(range(1, 19))
    assert all(s.bio and s.languages and s.modes and s.divisions for s in supervisors)


def test_demo_has_requests_in_every_status_both_individual_and_group(run_demo):
    run_demo()
    rows = db.session.execute(select(SupervisionRequest.status, SupervisionRequest.kind)).all()
    assert {status for status, _ in rows} == set(RequestStatus)
    assert {kind for _, kind in rows} >= {RequestKind.INDIVIDUAL, RequestKind.GROUP}
    for sup_request in db.session.scalars(select(SupervisionRequest)):
        assert sup_request.events[0].to_status == RequestStatus.SUBMITTED
        assert sup_request.events[-1].to_status == sup_request.status


def test_demo_prints_the_logins_and_the_staff_member_can_log_in(run_demo, client):
    output = run_demo()
    for login in ("admin", "staff", "personal", "supervisor", "reports"):
        assert f"{login}@demo.lahti.fi" in output
    password = re.search(r"password: (\S+)\)", output).group(1)

    response = client.post("/login", data={"email": "staff@demo.lahti.fi", "password": password})
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Sanna Koskinen" in page.get_data(as_text=True)

    # the Swedish-speaking teacher's pages are in Swedish whatever the browser says
    client.post("/logout")
    client.post("/login", data={"email": "personal@demo.lahti.fi", "password": password})
    page = client.get("/dashboard", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert '<html lang="sv">' in page and "Johanna Lindqvist" in page


def test_demo_quota_counters_match_the_requests(run_demo):
    run_demo()
    # Sessions a request holds: every request that is neither withdrawn nor declined.
    # Accepted ones too: granted sessions stay pending until planned, then reserved
    # (planned) and used (held), so the three counters add up to the request.
    released = {RequestStatus.WITHDRAWN, RequestStatus.DECLINED}
    expected: Counter[tuple[int, int]] = Counter()
    for sup_request in db.session.scalars(select(SupervisionRequest)):
        if sup_request.status in released:
            continue
        if sup_request.kind == RequestKind.GROUP:
            holders = db.session.scalars(
                select(RequestMember.user_id).where(
                    RequestMember.request_id == sup_request.id,
                    RequestMember.status != MemberStatus.DECLINED,
                )
            ).all()
        else:
            holders = [sup_request.requester_id]
        # guest organisations' officials hold no city quota (requests/quota.py)
        for user_id in set(holders) - outside_quota(holders):
            expected[(user_id, sup_request.school_year_id)] += sup_request.sessions_requested
    accounts = db.session.scalars(select(QuotaAccount)).all()
    assert accounts
    actual = {(a.user_id, a.school_year_id): a.pending + a.reserved + a.used for a in accounts}
    assert {k: v for k, v in actual.items() if v} == dict(expected)
    assert all(a.state().is_valid for a in accounts)
    assert sum(a.used for a in accounts) > 0  # the demo supervisor has held sessions


def test_demo_never_has_a_supervisor_in_two_sessions_at_once(run_demo):
    from datetime import timedelta

    from lahti_pool.sessions.models import SupervisionProcess, SupervisionSession
    from lahti_pool.sessions.overlaps import BUSY

    run_demo()
    rows = db.session.execute(
        select(
            SupervisionProcess.supervisor_id,
            SupervisionSession.starts_at,
            SupervisionSession.duration_minutes,
        )
        .join(SupervisionProcess)
        .where(SupervisionSession.status.in_(BUSY), ~SupervisionSession.is_covision)
        .order_by(SupervisionProcess.supervisor_id, SupervisionSession.starts_at)
    ).all()
    assert rows
    for before, after in zip(rows, rows[1:], strict=False):
        if before.supervisor_id == after.supervisor_id:
            ends = before.starts_at + timedelta(minutes=before.duration_minutes)
            assert ends <= after.starts_at, (before, after)

"""The reach and availability pages on a generated city: the SQL figures equal the same
figures counted from the rows, nothing shown rests on fewer than five people, and no
hidden cell can be worked out from the tables shown with it."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lahti_dev.scale import generate_city
from lahti_pool.accounts.models import Role, User, UserRole
from lahti_pool.core import versions
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Unit
from lahti_pool.reports import availability, reach
from lahti_pool.reports.rules import nearest_rank
from lahti_pool.requests.models import RequestKind, SupervisionRequest
from lahti_pool.sessions.models import (
    ProcessMember,
    SessionAttendance,
    SessionStatus,
    SupervisionSession,
)
from lahti_pool.slots import queries as slot_queries
from tests.reports.test_linked_suppression import _recoverable

K = 5


@pytest.fixture
def city(ctx, today):
    generate_city(factor=0.002, seed=7, today=today)
    versions.clear()
    years = reach.school_years(today)
    return years


def _login(client, role):
    user = db.session.scalar(select(User).where(User.email == f"{role}@city.example.fi"))
    client.login(user)


def _expected_reach(year, until):
    """(staff, users, sessions) per division, from the rows, in Python."""
    staff = {
        user.id: user
        for user in db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.STAFF, User.is_active_account.is_(True))
        )
        if user.unit_id is not None
    }
    division_of = dict(db.session.execute(select(Unit.id, Unit.division_id)).all())
    sessions: dict[int, int] = {}
    for attendance, sup_session in db.session.execute(
        select(SessionAttendance, SupervisionSession).join(SupervisionSession)
    ):
        if (
            attendance.user_id in staff
            and year.starts_on <= sup_session.on_date <= until
            and sup_session.status == SessionStatus.HELD
            and not sup_session.is_covision
            and attendance.attended is not False
        ):
            sessions[attendance.user_id] = sessions.get(attendance.user_id, 0) + 1
    out: dict[int, list[int]] = {}
    for user in staff.values():
        figures = out.setdefault(division_of[user.unit_id], [0, 0, 0])
        figures[0] += 1
        figures[1] += user.id in sessions
        figures[2] += sessions.get(user.id, 0)
    return out


def test_reach_equals_the_rows_and_hides_what_could_be_worked_out(city, today):
    for year in city[:2]:
        until = reach.counted_until(year, today)
        figures = reach.reach(year, until, K)
        expected = _expected_reach(year, until)
        assert figures.total.staff == sum(f[0] for f in expected.values())
        for cell in figures.divisions:
            staff, users, sessions = expected[cell.key[1]]
            assert cell.staff == staff
            assert cell.users in (None, users) and cell.sessions in (None, sessions)
        cells = [figures.total, *figures.groups, *figures.divisions, *figures.units]
        shown = [c for c in cells if not c.hidden]
        assert shown, "the generated city has figures to show"
        assert all(c.users == 0 or c.users >= K for c in shown)
        assert all(c.staff >= K for c in shown)
        # The page's own breakdowns as equations: nothing hidden is recoverable.
        division_of = dict(db.session.execute(select(Unit.id, Unit.division_id)).all())
        equations = [
            (reach.TOTAL, [c.key for c in figures.groups]),
            (reach.TOTAL, [c.key for c in figures.divisions]),
            (reach.TOTAL, [c.key for c in figures.units]),
        ] + [
            (d.key, [u.key for u in figures.units if division_of[u.key[1]] == d.key[1]])
            for d in figures.divisions
        ]
        hidden = {c.key for c in cells if c.hidden}
        assert not _recoverable(hidden, None, [(t, p) for t, p in equations if p])


def test_availability_percentiles_equal_the_nearest_rank_of_the_rows(city, today):
    year = city[1]  # a whole past year
    figures = availability.availability(year.id, today, K)
    first: dict[int, object] = {}
    for request_id, on_date, status in db.session.execute(
        select(ProcessMember.request_id, SupervisionSession.on_date, SupervisionSession.status)
        .join(SupervisionSession, SupervisionSession.process_id == ProcessMember.process_id)
        .where(ProcessMember.request_id.is_not(None))
    ):
        if status not in (SessionStatus.CANCELLED, SessionStatus.CANCELLED_BY_SUPERVISOR):
            first[request_id] = min(first.get(request_id, on_date), on_date)
    days: dict[RequestKind, list[int]] = {}
    for sup_request in db.session.scalars(
        select(SupervisionRequest).where(SupervisionRequest.school_year_id == year.id)
    ):
        if sup_request.id in first:
            waited = (first[sup_request.id] - sup_request.created_at.date()).days
            days.setdefault(sup_request.kind, []).append(waited)
    assert days, "the generated city has served requests"
    for kind, values in days.items():
        spread = figures.to_first_session[kind]
        assert spread.n == len(values)
        if len(values) >= K:
            assert (spread.median, spread.p90) == (
                nearest_rank(values, 50),
                nearest_rank(values, 90),
            )
        else:
            assert spread.median is None


def test_unused_slots_by_hour_add_up_to_the_utilisation_report(city, today):
    now = utcnow().replace(second=0, microsecond=0)
    first, last = today - timedelta(weeks=8), today
    slots = availability.unused_slots(first, last, now)
    _rows, totals = slot_queries.slot_utilisation(first, last, now)
    assert sum(slots.grid.values()) == totals.unused == sum(n for _, n in slots.weeks)
    assert all(0 <= day < 7 and 0 <= hour < 24 for day, hour in slots.grid)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_report_pages_open_for_the_reports_role_in_each_language(city, client, language):
    _login(client, "reports")
    client.post("/language", data={"lang": language})
    for path, heading in (
        (
            "/reports/reach",
            {
                "fi": "Työnohjauksen tavoittavuus",
                "sv": "Handledningens räckvidd",
                "en": "Reach of supervision",
            },
        ),
        (
            "/reports/availability",
            {
                "fi": "Työnohjauksen saatavuus",
                "sv": "Handledningens tillgänglighet",
                "en": "Availability of supervision",
            },
        ),
    ):
        page = client.get(path)
        assert page.status_code == 200
        assert heading[language] in page.get_data(as_text=True)


def test_the_report_pages_are_for_the_administrator_and_reports_only(city, client):
    _login(client, "staff")
    assert client.get("/reports/reach").status_code == 403
    _login(client, "admin")
    assert client.get("/reports/availability").status_code == 200

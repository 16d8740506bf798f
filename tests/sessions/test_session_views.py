"""Session pages: who sees what, planning and logging by form, staff cancelling."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.budget.models import Budget
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.requests.models import PreQuestionAnswer
from lahti_pool.requests.quota import account_for
from lahti_pool.requests.services import (
    GroupRequestInput,
    RequestInput,
    submit_group_request,
    submit_individual_request,
)
from lahti_pool.sessions import rules, services
from lahti_pool.sessions.models import SessionStatus, SupervisionSession
from lahti_pool.sessions.services import SessionInput
from tests.tests_support import CONFIRMED

GOALS_CANARY = "CANARY-GOALS-7f3a"
ANSWER_CANARY = "CANARY-ANSWER-91bc"


@pytest.fixture
def accept(admin, school_year, today):
    def factory(sup_request, supervisor_id=None):
        run = matching.run_matching(admin, school_year, Policy.RANKING, today)
        assignment = next(a for a in run.assignments if a.request_id == sup_request.id)
        process = matching.accept_assignment(
            admin, assignment, today, supervisor_id=supervisor_id, reason="test"
        ).process
        db.session.commit()
        return process

    return factory


def _request(user, school_year, today, sessions=4):
    sup_request = submit_individual_request(
        user,
        RequestInput(
            school_year_id=school_year.id,
            sessions=sessions,
            modes=("video",),
            language="fi",
            wanted_from=today,
            answers={1: ANSWER_CANARY},
        ),
        today,
    )
    db.session.commit()
    return sup_request


@pytest.fixture
def process(staff, supervisor, accept, school_year, today):
    return accept(_request(staff, school_year, today))


def plan_at(process, starts: datetime) -> SupervisionSession:
    local = starts.astimezone(rules.LOCAL_TZ)
    sup_session, _ = services.plan_session(
        process.supervisor.user,
        process,
        SessionInput(local.date(), local.time().replace(second=0, microsecond=0), 60, "video"),
        starts - timedelta(days=10),
    )
    db.session.commit()
    return sup_session


def soon(hours: float) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(second=0, microsecond=0)


# --- Access --------------------------------------------------------------------------


def test_another_supervisor_cannot_see_or_log_the_process(client, process, make_supervisor):
    sup_session = plan_at(process, soon(72))
    other = make_supervisor(name="Ylva Other")
    client.login(other.user)
    assert client.get(f"/processes/{process.id}").status_code == 403
    assert client.get(f"/processes/{process.id}/sessions/new").status_code == 403
    assert client.get(f"/sessions/{sup_session.id}/log").status_code == 403
    response = client.post(f"/sessions/{sup_session.id}/log", data={"outcome": "held"})
    assert response.status_code == 403
    assert client.post(f"/processes/{process.id}/close", data=CONFIRMED).status_code == 403
    db.session.refresh(sup_session)
    assert sup_session.status == SessionStatus.PLANNED
    workspace = client.get("/workspace").get_data(as_text=True)
    assert "Sanna Staff" not in workspace


def test_staff_see_only_their_own_sessions(client, process, staff, other_staff):
    sup_session = plan_at(process, soon(72))
    client.login(other_staff)
    page = client.get("/my-sessions").get_data(as_text=True)
    assert f"/my-sessions/{sup_session.id}/cancel" not in page
    assert client.get(f"/my-sessions/{sup_session.id}/cancel").status_code == 403
    assert client.post(f"/my-sessions/{sup_session.id}/cancel").status_code == 403
    client.login(staff)
    page = client.get("/my-sessions").get_data(as_text=True)
    assert f"/my-sessions/{sup_session.id}/cancel" in page
    assert "Seppo Supervisor" in page


def test_the_administrator_never_sees_goals_or_answers(client, process, staff, admin):
    services.set_goals(staff, process, GOALS_CANARY)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PreQuestionAnswer)) == 1
    client.login(process.supervisor.user)
    page = client.get(f"/processes/{process.id}").get_data(as_text=True)
    assert GOALS_CANARY in page and ANSWER_CANARY in page  # the supervisor does
    client.login(admin)
    for url in (
        f"/processes/{process.id}",
        f"/processes/{process.id}/sessions/new",
        f"/requests/{process.request_id}",
        "/admin/requests",
        "/admin/matching/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert GOALS_CANARY not in text and ANSWER_CANARY not in text, url
    assert client.post(f"/processes/{process.id}/goals", data={"goals": "x"}).status_code == 403


def test_the_process_page_is_never_cached(client, process, staff):
    client.login(staff)
    response = client.get(f"/processes/{process.id}")
    assert response.headers["Cache-Control"] == "no-store"
    response = client.post(f"/processes/{process.id}/goals", data={"goals": GOALS_CANARY})
    assert response.status_code == 302
    db.session.refresh(process)
    assert process.goals == GOALS_CANARY


# --- Planning and logging by form ----------------------------------------------------


def test_the_supervisor_plans_a_session_in_local_time(client, process, staff, school_year):
    day = school_year.starts_on + timedelta(days=125)
    client.login(process.supervisor.user)
    form = client.get(f"/processes/{process.id}/sessions/new").get_data(as_text=True)
    assert 'value="60"' in form  # individual sessions last 60 minutes by default
    response = client.post(
        f"/processes/{process.id}/sessions/new",
        data={
            "on_date": day.isoformat(),
            "at": "10:00",
            "duration": "60",
            "mode": "video",
            "place": "https://meet.example/abc",
            "host": "0",
        },
    )
    assert response.status_code == 302
    sup_session = db.session.scalar(select(SupervisionSession))
    assert sup_session.starts_at == rules.local_to_utc(day, time(10))
    assert sup_session.on_date == day
    assert account_for(staff.id, school_year).state().reserved == 1
    page = client.get(f"/processes/{process.id}").get_data(as_text=True)
    assert "https://meet.example/abc" in page


def test_a_refused_plan_shows_the_message_and_changes_nothing(client, process, school_year):
    client.login(process.supervisor.user)
    response = client.post(
        f"/processes/{process.id}/sessions/new",
        data={
            "on_date": (school_year.ends_on + timedelta(days=3)).isoformat(),
            "at": "10:00",
            "duration": "60",
            "mode": "video",
            "host": "0",
        },
    )
    assert response.status_code == 200
    assert "(the school year)" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SupervisionSession)) == 0


def test_a_supervisor_cannot_override_the_budget(client, process, school_year):
    day = school_year.starts_on + timedelta(days=125)
    db.session.add(Budget(fiscal_year=day.year, division_id=None, amount_cents=100))
    db.session.commit()
    client.login(process.supervisor.user)
    response = client.post(
        f"/processes/{process.id}/sessions/new",
        data={
            "on_date": day.isoformat(),
            "at": "10:00",
            "duration": "60",
            "mode": "video",
            "host": "0",
            "override_reason": "I insist",
        },
    )
    assert response.status_code == 200
    assert "administrator can accept it" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SupervisionSession)) == 0


def test_budget_warnings_are_flashed(client, process, school_year):
    day = school_year.starts_on + timedelta(days=125)
    budget = Budget(fiscal_year=day.year, division_id=None, amount_cents=process.price_cents + 1)
    db.session.add(budget)
    db.session.commit()
    client.login(process.supervisor.user)
    response = client.post(
        f"/processes/{process.id}/sessions/new",
        data={"on_date": day.isoformat(), "at": "10:00", "duration": "60", "mode": "video"},
        follow_redirects=True,
    )
    assert "the pool is at 99 % of its budget" in response.get_data(as_text=True)


@pytest.fixture
def group(make_user, supervisor, accept, school_year, today):
    people = [make_user(name=f"Member {n}") for n in range(3)]
    sup_request = submit_group_request(
        people[0],
        GroupRequestInput(
            school_year_id=school_year.id,
            sessions=3,
            modes=("on_site",),
            language="fi",
            wanted_from=today,
            group_name="Harju",
            member_emails=tuple(p.email for p in people[1:]),
        ),
        today,
    )
    db.session.commit()
    return accept(sup_request), people


def test_a_group_session_is_logged_with_its_attendees(client, group, school_year):
    process, people = group
    sup_session = plan_at(process, soon(-3))
    client.login(process.supervisor.user)
    page = client.get(f"/sessions/{sup_session.id}/log").get_data(as_text=True)
    assert "Who attended" in page and "Member 2" in page
    response = client.post(
        f"/sessions/{sup_session.id}/log",
        data={"outcome": "held", "duration": "90", "attendees": [people[0].id, people[1].id]},
    )
    assert response.status_code == 302
    db.session.refresh(sup_session)
    assert sup_session.status == SessionStatus.HELD
    assert account_for(people[0].id, school_year).state().used == 1
    assert account_for(people[2].id, school_year).state().used == 0


def test_the_group_page_shows_hosts_and_covision(client, group, school_year):
    process, people = group
    day = school_year.starts_on + timedelta(days=125)
    services.plan_session(
        process.supervisor.user,
        process,
        SessionInput(day, time(13), 90, "on_site", "Room 2", True, host_user_id=people[0].id),
        datetime.now(UTC),
    )
    db.session.commit()
    client.login(people[1])
    page = client.get(f"/processes/{process.id}").get_data(as_text=True)
    assert "Covision" in page and people[0].name in page and "Room 2" in page


def test_logging_a_future_session_as_held_shows_the_message(client, process):
    sup_session = plan_at(process, soon(72))
    client.login(process.supervisor.user)
    response = client.post(
        f"/sessions/{sup_session.id}/log", data={"outcome": "held", "duration": "60"}
    )
    assert response.status_code == 200
    assert "has not started yet" in response.get_data(as_text=True)
    db.session.refresh(sup_session)
    assert sup_session.status == SessionStatus.PLANNED


# --- Staff cancelling ----------------------------------------------------------------


def test_staff_are_told_before_confirming_that_a_late_cancellation_uses_a_session(
    client, process, staff, school_year
):
    sup_session = plan_at(process, soon(5))
    client.login(staff)
    page = client.get(f"/my-sessions/{sup_session.id}/cancel").get_data(as_text=True)
    assert "This cancellation is late" in page
    db.session.refresh(sup_session)
    assert sup_session.status == SessionStatus.PLANNED  # nothing happens before confirming
    response = client.post(f"/my-sessions/{sup_session.id}/cancel", follow_redirects=True)
    assert "it uses a session" in response.get_data(as_text=True)
    db.session.refresh(sup_session)
    assert sup_session.status == SessionStatus.LATE_CANCELLED
    assert account_for(staff.id, school_year).state().used == 1


def test_staff_cancelling_in_time_free_the_session(client, process, staff, school_year):
    sup_session = plan_at(process, soon(72))
    client.login(staff)
    page = client.get(f"/my-sessions/{sup_session.id}/cancel").get_data(as_text=True)
    assert "This cancellation is on time" in page
    client.post(f"/my-sessions/{sup_session.id}/cancel")
    db.session.refresh(sup_session)
    assert sup_session.status == SessionStatus.CANCELLED
    state = account_for(staff.id, school_year).state()
    assert (state.pending, state.reserved, state.used) == (4, 0, 0)


def test_the_client_closes_the_process(client, process, staff, school_year):
    client.login(staff)
    response = client.post(f"/processes/{process.id}/close", data=CONFIRMED, follow_redirects=True)
    assert "The process is closed" in response.get_data(as_text=True)
    assert account_for(staff.id, school_year).state().available == 10


def test_closing_a_process_asks_first_and_a_bare_post_closes_nothing(
    client, process, staff, school_year
):
    client.login(staff)
    url = f"/processes/{process.id}/close"
    assert f'href="{url}"' in client.get(f"/processes/{process.id}").text
    page = client.get(url).text
    assert "Close the process?" in page
    assert "4 sessions not yet planned go back" in page
    assert 'name="confirmed" value="yes"' in page and 'name="csrf_token"' in page
    assert f'href="/processes/{process.id}">No, keep it open' in page
    bare = client.post(url)
    assert bare.status_code == 200 and "Close the process?" in bare.text
    db.session.refresh(process)
    assert process.status == "active"
    assert account_for(staff.id, school_year).state().available == 6

"""A former supervisor (the supervisor role taken away) loses the confidential content.

Goals and pre-question answers are seen only by their author and the assigned
supervisor (DOMAIN.md "Requests and processes"); "assigned supervisor" means a user who
holds the supervisor role now, not one whose id is still on the process.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests_support import add_slot

from lahti_pool.accounts.models import Role
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.requests.services import RequestInput, submit_individual_request
from lahti_pool.sessions import services
from lahti_pool.sessions.models import SupervisionProcess, SupervisionSession
from lahti_pool.slots import services as slot_services

GOALS_CANARY = "CANARY-GOALS-former"
ANSWER_CANARY = "CANARY-ANSWER-former"
ON_DUTY_CANARY = "CANARY-ON-DUTY-former"


@pytest.fixture
def process(staff, supervisor, admin, school_year, today):
    sup_request = submit_individual_request(
        staff,
        RequestInput(
            school_year_id=school_year.id,
            sessions=4,
            modes=("video",),
            language="fi",
            wanted_from=today,
            answers={1: ANSWER_CANARY},
        ),
        today,
    )
    db.session.commit()
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    (assignment,) = run.assignments
    process = matching.accept_assignment(admin, assignment, today, reason="test").process
    services.set_goals(staff, process, GOALS_CANARY)
    db.session.commit()
    assert sup_request.id == process.request_id
    return process


@pytest.fixture
def booked_slot(other_staff, supervisor, school_year):
    starts_at = (utcnow() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    slot = add_slot(supervisor, starts_at)
    answers = {1: ON_DUTY_CANARY, 2: "b", 3: "c"}
    slot_services.book_slot(other_staff, slot, answers, utcnow())
    db.session.commit()
    return slot


def _strip_supervisor(supervisor) -> None:
    """What the administrator does when a supervisor leaves the pool."""
    supervisor.active = False
    supervisor.user.set_roles({Role.STAFF})
    db.session.commit()


def test_a_former_supervisor_no_longer_sees_goals_or_answers(
    client, process, booked_slot, supervisor, school_year
):
    on_duty_process = db.session.scalar(
        select(SupervisionProcess).where(SupervisionProcess.id != process.id)
    )
    client.login(supervisor.user)
    assert GOALS_CANARY in client.get(f"/processes/{process.id}").text  # while supervisor
    _strip_supervisor(supervisor)

    for url in (
        f"/processes/{process.id}",
        f"/requests/{process.request_id}",
        f"/processes/{on_duty_process.id}",
        f"/requests/{on_duty_process.request_id}",
        f"/slots/{booked_slot.id}",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        for canary in (GOALS_CANARY, ANSWER_CANARY, ON_DUTY_CANARY):
            assert canary not in response.text, url


def test_a_former_supervisor_can_no_longer_write_goals_or_plan(
    client, process, supervisor, school_year
):
    _strip_supervisor(supervisor)
    client.login(supervisor.user)
    day = school_year.starts_on + timedelta(days=125)

    goals = client.post(f"/processes/{process.id}/goals", data={"goals": "overwritten"})
    plan = client.post(
        f"/processes/{process.id}/sessions/new",
        data={"on_date": day.isoformat(), "at": "10:00", "duration": "60", "mode": "video"},
    )
    practice = client.post(
        f"/processes/{process.id}/practice", data={"midpoint_on": day.isoformat()}
    )

    assert (goals.status_code, plan.status_code, practice.status_code) == (403, 403, 403)
    db.session.refresh(process)
    assert process.goals == GOALS_CANARY
    assert process.midpoint_reviewed_on is None
    assert db.session.scalar(select(func.count()).select_from(SupervisionSession)) == 0


def test_a_deactivated_supervisor_keeps_running_their_processes(client, process, supervisor):
    """Deactivating means no new clients; the running processes continue
    (supervisors/services.py ``set_supervisor_active``), goals included."""
    supervisor.active = False
    db.session.commit()
    client.login(supervisor.user)

    page = client.get(f"/processes/{process.id}")

    assert page.status_code == 200
    assert GOALS_CANARY in page.text and ANSWER_CANARY in page.text

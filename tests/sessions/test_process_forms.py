"""The process page's forms: review dates in order, and no invisible plan-form errors."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.requests.services import RequestInput, submit_individual_request
from lahti_pool.sessions.models import SupervisionSession


@pytest.fixture
def process(staff, supervisor, admin, school_year, today):
    submit_individual_request(
        staff,
        RequestInput(
            school_year_id=school_year.id,
            sessions=4,
            modes=("video",),
            language="fi",
            wanted_from=today,
        ),
        today,
    )
    db.session.commit()
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    (assignment,) = run.assignments
    process = matching.accept_assignment(admin, assignment, today, reason="test").process
    db.session.commit()
    return process


def test_a_midpoint_review_after_the_closing_evaluation_is_refused_on_the_field(
    client, process, school_year
):
    closing = school_year.starts_on + timedelta(days=120)
    midpoint = closing + timedelta(days=40)
    client.login(process.supervisor.user)

    response = client.post(
        f"/processes/{process.id}/practice",
        data={"midpoint_on": midpoint.isoformat(), "closing_on": closing.isoformat()},
    )

    assert response.status_code == 200
    assert "The mid-point review cannot be after the closing evaluation" in response.text
    assert 'id="midpoint_on-error"' in response.text
    db.session.refresh(process)
    assert (process.midpoint_reviewed_on, process.closing_evaluated_on) == (None, None)


def test_review_dates_in_order_are_saved(client, process, school_year):
    midpoint = school_year.starts_on + timedelta(days=60)
    closing = midpoint + timedelta(days=60)
    client.login(process.supervisor.user)

    response = client.post(
        f"/processes/{process.id}/practice",
        data={"midpoint_on": midpoint.isoformat(), "closing_on": closing.isoformat()},
    )

    assert response.status_code == 302
    db.session.refresh(process)
    assert (process.midpoint_reviewed_on, process.closing_evaluated_on) == (midpoint, closing)


@pytest.mark.parametrize(
    "extra",
    [
        {"host": "999"},
        {"host": "abc"},
        {"venue": "999"},
        {"is_covision": "y"},
        {"override_reason": "x" * 600},
    ],
)
def test_fields_an_individual_plan_form_does_not_show_are_ignored(
    client, process, school_year, extra
):
    day = school_year.starts_on + timedelta(days=125)
    client.login(process.supervisor.user)

    response = client.post(
        f"/processes/{process.id}/sessions/new",
        data={"on_date": day.isoformat(), "at": "10:00", "duration": "60", "mode": "video"} | extra,
    )

    assert response.status_code == 302, response.text
    sup_session = db.session.scalar(select(SupervisionSession))
    assert (sup_session.host_user_id, sup_session.venue_id, sup_session.is_covision) == (
        None,
        None,
        False,
    )
    assert db.session.scalar(select(func.count()).select_from(SupervisionSession)) == 1

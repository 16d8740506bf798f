"""The retention schedule of confidential content: pre-question answers and process goals."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lahti_pool.core.audit import AuditEvent
from lahti_pool.extensions import db
from lahti_pool.matching import services as matching
from lahti_pool.matching.eligibility import Policy
from lahti_pool.requests.models import (
    PreQuestionAnswer,
    RequestKind,
    SchoolYear,
    SupervisionRequest,
)
from lahti_pool.requests.retention import purge_answers, purge_goals, retention_cutoff
from lahti_pool.requests.services import RequestInput, submit_individual_request
from lahti_pool.sessions.models import SupervisionProcess

GOALS_CANARY = "CANARY-GOALS-retention"


@pytest.mark.parametrize(
    ("today", "keep", "cutoff"),
    [
        (date(2028, 2, 29), 0, date(2027, 8, 1)),
        (date(2028, 2, 29), 1, date(2026, 8, 1)),
        (date(2028, 2, 29), 4, date(2023, 8, 1)),
        (date(2027, 7, 31), 1, date(2025, 8, 1)),
        (date(2027, 8, 1), 1, date(2026, 8, 1)),
    ],
)
def test_the_cutoff_counts_whole_school_years(today, keep, cutoff):
    assert retention_cutoff(today, keep) == cutoff


def _year(start: int) -> SchoolYear:
    year = SchoolYear(starts_on=date(start, 8, 1), ends_on=date(start + 1, 7, 31), quota=10)
    db.session.add(year)
    return year


def _request_with_answer(user, year: SchoolYear) -> SupervisionRequest:
    sup_request = SupervisionRequest(
        kind=RequestKind.INDIVIDUAL,
        requester_id=user.id,
        school_year_id=year.id,
        sessions_requested=1,
        wanted_from=year.starts_on,
        answers=[PreQuestionAnswer(position=1, question="Q", answer="A")],
    )
    db.session.add(sup_request)
    return sup_request


def test_purging_on_29_february_keeps_the_given_whole_years(app, staff, monkeypatch):
    monkeypatch.setitem(app.config, "ANSWER_RETENTION_YEARS", 1)
    old, kept = _year(2025), _year(2026)
    db.session.flush()
    _request_with_answer(staff, old)
    _request_with_answer(staff, kept)
    db.session.commit()

    report = purge_answers(date(2028, 2, 29))
    db.session.commit()

    assert report == {"2025–2026": 1}
    left = db.session.scalars(
        select(SupervisionRequest.school_year_id).join(PreQuestionAnswer)
    ).all()
    assert left == [kept.id]


@pytest.fixture
def two_processes(staff, other_staff, supervisor, admin, school_year, today):
    """A process of an ended school year and one of this year, both with goals."""
    for user in (staff, other_staff):
        submit_individual_request(
            user,
            RequestInput(
                school_year_id=school_year.id,
                sessions=2,
                modes=("video",),
                language="fi",
                wanted_from=today,
            ),
            today,
        )
    db.session.commit()
    run = matching.run_matching(admin, school_year, Policy.RANKING, today)
    processes = [
        matching.accept_assignment(admin, a, today, reason="test").process for a in run.assignments
    ]
    old_year = SchoolYear(
        starts_on=school_year.starts_on.replace(year=school_year.starts_on.year - 1),
        ends_on=school_year.starts_on - timedelta(days=1),
        quota=10,
    )
    db.session.add(old_year)
    db.session.flush()
    for process in processes:
        process.goals = GOALS_CANARY
    processes[0].school_year_id = old_year.id
    processes[0].request.school_year_id = old_year.id
    db.session.commit()
    return processes, old_year


def test_goals_are_purged_on_the_schedule_of_the_answers(two_processes, today):
    (old, current), old_year = two_processes

    report = purge_goals(today)
    db.session.commit()

    assert report == {old_year.label: 1}
    goals = dict(db.session.execute(select(SupervisionProcess.id, SupervisionProcess.goals)).all())
    assert goals == {old.id: "", current.id: GOALS_CANARY}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "goals.purged"))
    assert GOALS_CANARY not in str(event.details)
    assert purge_goals(today) == {}


def test_the_daily_command_purges_answers_and_goals(app, two_processes):
    (old, current), old_year = two_processes

    result = app.test_cli_runner().invoke(args=["pool", "purge-answers"])

    assert result.exit_code == 0, result.output
    assert f"Deleted the goals of 1 processes of school year {old_year.label}." in result.output
    db.session.expire_all()
    assert db.session.get(SupervisionProcess, old.id).goals == ""
    assert db.session.get(SupervisionProcess, current.id).goals == GOALS_CANARY

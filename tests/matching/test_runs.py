"""Matching as a job (issue 21): the run is computed outside the web request, the queue page
shows its progress and result, and two runs at once are refused."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lahti_pool.core.errors import DomainError
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.matching import runs, services
from lahti_pool.matching.eligibility import Policy
from lahti_pool.matching.models import JobStatus, MatchingJob, MatchingRun
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.services import RequestInput, submit_individual_request


@pytest.fixture
def waiting(staff, school_year, today):
    data = RequestInput(
        school_year_id=school_year.id,
        sessions=4,
        modes=("video",),
        language="fi",
        wanted_from=today,
    )
    sup_request = submit_individual_request(staff, data, today)
    db.session.commit()
    return sup_request


@pytest.fixture
def by_worker(app, monkeypatch):
    """Runs are left to `flask pool matching-worker`, as on a production node without threads."""
    monkeypatch.setitem(app.config, "MATCHING_RUNNER", "worker")


def _runs() -> int:
    return db.session.scalar(select(func.count()).select_from(MatchingRun))


def test_asking_for_a_run_returns_before_it_is_computed_and_the_page_shows_it_in_progress(
    client, admin, make_supervisor, waiting, by_worker
):
    make_supervisor(rank=1)
    client.login(admin)
    response = client.post("/admin/matching/run", data={"policy": "ranking"})
    assert response.status_code == 302
    assert _runs() == 0  # nothing computed inside the request
    job = db.session.scalar(select(MatchingJob))
    assert (job.status, job.active) == (JobStatus.QUEUED, 1)
    page = client.get("/admin/matching/").get_data(as_text=True)
    assert "is in progress: waiting to start" in page
    result = client.application.test_cli_runner().invoke(args=["pool", "matching-worker"])
    assert result.exit_code == 0, result.output
    assert "Computed 1 matching runs." in result.output
    db.session.expire_all()
    job = db.session.get(MatchingJob, job.id)
    assert (job.status, job.active, job.run_id) == (JobStatus.DONE, None, _latest_run_id())
    assert db.session.get(type(waiting), waiting.id).status == RequestStatus.MATCHED
    page = client.get("/admin/matching/").get_data(as_text=True)
    assert "is in progress" not in page
    assert "Served 1 of 1" in page


def _latest_run_id():
    return db.session.scalar(select(MatchingRun.id).order_by(MatchingRun.id.desc()))


def test_a_second_run_while_one_is_queued_is_refused(
    client, admin, make_supervisor, waiting, by_worker
):
    make_supervisor(rank=1)
    client.login(admin)
    client.post("/admin/matching/run", data={"policy": "ranking"})
    response = client.post(
        "/admin/matching/run", data={"policy": "balanced"}, follow_redirects=True
    )
    assert "A matching run is already in progress" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MatchingJob)) == 1


def test_the_database_refuses_a_second_active_run_whoever_asks(admin, school_year):
    # Two nodes checking at the same moment both see none active; the unique column decides.
    db.session.add(
        MatchingJob(
            created_by_id=admin.id, school_year_id=school_year.id, policy="ranking", active=1
        )
    )
    db.session.commit()
    db.session.add(
        MatchingJob(
            created_by_id=admin.id, school_year_id=school_year.id, policy="ranking", active=1
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_job_is_computed_once_even_if_two_runners_try(
    admin, school_year, waiting, make_supervisor
):
    make_supervisor(rank=1)
    job = runs.request_run(admin, school_year, Policy.RANKING, utcnow())
    db.session.commit()
    assert runs.run_job(job.id) is True
    assert runs.run_job(job.id) is False  # already claimed
    assert _runs() == 1


def test_a_failed_run_changes_nothing_releases_the_lock_and_says_so(
    client, admin, make_supervisor, waiting, by_worker, monkeypatch
):
    make_supervisor(rank=1)
    client.login(admin)
    client.post("/admin/matching/run", data={"policy": "ranking"})

    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(services, "run_matching", broken)
    assert runs.work_queued() == 1
    job = db.session.scalar(select(MatchingJob))
    assert (job.status, job.active) == (JobStatus.FAILED, None)
    assert db.session.get(type(waiting), waiting.id).status == RequestStatus.SUBMITTED
    page = client.get("/admin/matching/").get_data(as_text=True)
    assert "failed; nothing was changed" in page
    monkeypatch.undo()
    response = client.post("/admin/matching/run", data={"policy": "ranking"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(MatchingJob)) == 2


def test_a_run_whose_process_died_does_not_block_the_next_for_ever(admin, school_year):
    stale = runs.request_run(admin, school_year, Policy.RANKING, utcnow())
    db.session.commit()
    stale.status, stale.heartbeat_at = JobStatus.RUNNING, utcnow() - timedelta(hours=2)
    db.session.commit()
    job = runs.request_run(admin, school_year, Policy.RANKING, utcnow())
    db.session.commit()
    db.session.refresh(stale)
    assert (stale.status, stale.active) == (JobStatus.FAILED, None)
    assert job.active == 1
    with pytest.raises(DomainError, match="already in progress"):
        runs.request_run(admin, school_year, Policy.RANKING, utcnow())


def test_the_page_names_the_step_a_running_job_has_reached(client, admin, school_year):
    job = runs.request_run(admin, school_year, Policy.RANKING, utcnow())
    job.status, job.step = JobStatus.RUNNING, "age"
    db.session.commit()
    client.login(admin)
    page = client.get("/admin/matching/").get_data(as_text=True)
    assert "is in progress: putting older requests first" in page


def test_the_solver_reports_each_step_it_reaches(waiting, make_supervisor, admin, school_year):
    from lahti_pool.matching import pipeline

    make_supervisor(rank=1)
    seen = []
    token = pipeline.PROGRESS.set(seen.append)
    try:
        services.run_matching(admin, school_year, Policy.RANKING, utcnow().date())
    finally:
        pipeline.PROGRESS.reset(token)
    assert seen[0] == "feasible" and "serve" in seen and seen[-1] == "explaining"


def test_by_default_a_thread_of_the_web_process_computes_the_run(
    app, client, admin, make_supervisor, waiting, monkeypatch
):
    monkeypatch.setitem(app.config, "MATCHING_RUNNER", "thread")
    make_supervisor(rank=1)
    client.login(admin)
    client.post("/admin/matching/run", data={"policy": "ranking"})
    job_id = db.session.scalar(select(MatchingJob.id))
    for _ in range(300):
        db.session.commit()  # end the read transaction: see what the thread committed
        if db.session.get(MatchingJob, job_id, populate_existing=True).status == JobStatus.DONE:
            break
        time.sleep(0.1)
    assert db.session.get(MatchingJob, job_id).status == JobStatus.DONE
    assert _runs() == 1


def test_a_run_that_fails_inside_the_request_answers_with_the_queue_page_not_an_error(
    client, admin, make_supervisor, waiting, monkeypatch
):
    make_supervisor(rank=1)

    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(services, "run_matching", broken)
    client.login(admin)
    response = client.post("/admin/matching/run", data={"policy": "ranking"}, follow_redirects=True)
    assert response.status_code == 200
    assert "failed; nothing was changed" in response.get_data(as_text=True)

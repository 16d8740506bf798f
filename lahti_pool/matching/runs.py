"""Matching as a job: a run asked for on the queue page is computed outside the web request.

``request_run`` records a ``MatchingJob`` (the view commits it) and refuses a second while one
is queued or running: the unique ``active`` column decides, so two administrators, two tabs
or two app nodes asking at once get one run. ``start`` then has it computed according to
``MATCHING_RUNNER``: "thread" (default) in a thread of the web process, "worker" by
``flask pool matching-worker`` (a systemd service beside the mail worker), "inline" in the
request itself (the tests). ``run_job`` claims a queued job with one UPDATE, so a thread and
a worker never compute the same job twice; it calls ``services.run_matching`` and records the
result or the failure. While the solver works, each step it reaches is written to the job
from a connection of its own, so the queue page can show it (not on SQLite, whose one writer
is the run's own transaction; there the page shows "running" until the result).

A job whose process died (a restarted worker) would hold the lock for ever: one running with
no sign of life for ``MATCHING_JOB_STALE_MINUTES`` is marked failed when the next run is
asked for.
"""

import logging
import threading
import time
from datetime import date, datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from lahti_pool.accounts.models import User
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.core.models import utcnow
from lahti_pool.extensions import db
from lahti_pool.matching import pipeline, services
from lahti_pool.matching.eligibility import Policy
from lahti_pool.matching.models import JobStatus, MatchingJob
from lahti_pool.requests.models import SchoolYear

log = logging.getLogger(__name__)

BUSY = N_("A matching run is already in progress; its result will appear on this page.")


def request_run(actor: User, year: SchoolYear, policy: Policy, now: datetime) -> MatchingJob:
    """Record a run to compute, or refuse while another is queued or running."""
    release_stale(now)
    if db.session.scalar(select(MatchingJob.id).where(MatchingJob.active == 1)) is not None:
        raise DomainError(BUSY)
    job = MatchingJob(
        created_by_id=actor.id, school_year_id=year.id, policy=policy, active=1, created_at=now
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:  # another request got there between the check and the insert
        raise DomainError(BUSY) from None
    return job


def release_stale(now: datetime) -> int:
    """Mark failed the jobs that show no sign of life, so that they hold no lock."""
    minutes = current_app.config.get("MATCHING_JOB_STALE_MINUTES", 30)
    cutoff = now - timedelta(minutes=minutes)
    stale = db.session.execute(
        update(MatchingJob)
        .where(
            MatchingJob.active == 1,
            MatchingJob.status == JobStatus.RUNNING,
            MatchingJob.heartbeat_at < cutoff,
        )
        .values(status=JobStatus.FAILED, active=None, finished_at=now, step="")
    )
    return stale.rowcount


def latest_job() -> MatchingJob | None:
    return db.session.scalar(select(MatchingJob).order_by(MatchingJob.id.desc()).limit(1))


def start(app: Flask, job_id: int) -> bool:
    """Have a committed job computed, as ``MATCHING_RUNNER`` says; True when it was computed
    before this returned."""
    runner = app.config.get("MATCHING_RUNNER", "thread")
    if runner == "inline":
        return run_job(job_id)
    if runner == "thread":
        threading.Thread(
            target=_in_thread, args=(app, job_id), name=f"matching-job-{job_id}", daemon=True
        ).start()
    return False  # "worker": flask pool matching-worker picks it up


def _in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def run_job(job_id: int) -> bool:
    """Compute a queued job; False when somebody else has claimed it."""
    now = utcnow()
    claimed = db.session.execute(
        update(MatchingJob)
        .where(MatchingJob.id == job_id, MatchingJob.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, step="started")
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return False
    job = db.session.get(MatchingJob, job_id)
    token = pipeline.PROGRESS.set(lambda step: _write_step(job_id, step))
    try:
        run = services.run_matching(job.created_by, job.school_year, job.policy, date.today())
        db.session.flush()
        job.run_id, job.status = run.id, JobStatus.DONE
        job.step, job.active, job.finished_at = "", None, utcnow()
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("matching job %s failed", job_id)  # ids and the solver's trace only
        job = db.session.get(MatchingJob, job_id)
        job.status, job.step, job.active, job.finished_at = JobStatus.FAILED, "", None, utcnow()
        db.session.commit()
    finally:
        pipeline.PROGRESS.reset(token)
    return True


def _write_step(job_id: int, step: str) -> None:
    """Show the step on the queue page now, from a connection outside the run's transaction."""
    if db.engine.dialect.name == "sqlite":
        return  # the run's transaction is SQLite's one writer: this would wait for it
    try:
        with db.engine.begin() as connection:
            connection.execute(
                update(MatchingJob)
                .where(MatchingJob.id == job_id)
                .values(step=step, heartbeat_at=utcnow())
            )
    except OperationalError:
        log.warning("matching job %s: progress not written", job_id)


def work_queued() -> int:
    """Compute every queued job, oldest first; the number computed here."""
    done = 0
    while True:
        job_id = db.session.scalar(
            select(MatchingJob.id)
            .where(MatchingJob.status == JobStatus.QUEUED)
            .order_by(MatchingJob.id)
            .limit(1)
        )
        db.session.commit()
        if job_id is None:
            return done
        done += run_job(job_id)


@click.command("matching-worker")
@click.option("--loop", is_flag=True, help="Keep waiting for runs to compute.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks.")
@with_appcontext
def matching_worker_command(loop: bool, interval: float) -> None:
    """Compute the matching runs asked for on the queue page."""
    while True:
        done = work_queued()
        if done:
            click.echo(f"Computed {done} matching runs.")
        if not loop:
            return
        time.sleep(interval)

"""Deleting confidential content on the documented schedule (DOMAIN.md "Privacy and law").

Pre-question answers (with an on-duty booker's phone number), and the goals of a
process, are deleted once the school year of
their request or process has ended, plus ``ANSWER_RETENTION_YEARS`` whole school years
(0 by default): by then the process they prepared is over. The goals are as
confidential as the answers (only the clients and the supervisor see them), so they
follow the same schedule. The job reports counts only, never content.
"""

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, func, select, update

from lahti_pool.core import audit
from lahti_pool.extensions import db
from lahti_pool.requests.models import PreQuestionAnswer, SchoolYear, SupervisionRequest
from lahti_pool.requests.rules import school_year_bounds
from lahti_pool.sessions.models import SupervisionProcess


def retention_cutoff(today: date, keep_years: int) -> date:
    """The first day of the school year ``keep_years`` before the current one: content of
    school years that ended before it is due. Whole school years, so no calendar date
    (29 February) has to exist in another year."""
    starts_on, _ends_on = school_year_bounds(today)
    return starts_on.replace(year=starts_on.year - keep_years)


def _expired_years(today: date):
    cutoff = retention_cutoff(today, current_app.config["ANSWER_RETENTION_YEARS"])
    return select(SchoolYear.id).where(SchoolYear.ends_on < cutoff)


def _label(start: date) -> str:
    return f"{start.year}–{start.year + 1}"


def purge_answers(today: date) -> dict[str, int]:
    """Delete the answers whose time is up; return how many per school year."""
    expired_years = _expired_years(today)
    expired_requests = select(SupervisionRequest.id).where(
        SupervisionRequest.school_year_id.in_(expired_years)
    )
    counts = dict(
        db.session.execute(
            select(SchoolYear.starts_on, func.count(PreQuestionAnswer.id))
            .join(SupervisionRequest, SupervisionRequest.school_year_id == SchoolYear.id)
            .join(PreQuestionAnswer, PreQuestionAnswer.request_id == SupervisionRequest.id)
            .where(SchoolYear.id.in_(expired_years))
            .group_by(SchoolYear.starts_on)
        ).all()
    )
    db.session.execute(
        delete(PreQuestionAnswer)
        .where(PreQuestionAnswer.request_id.in_(expired_requests))
        .execution_options(synchronize_session=False)
    )
    # an on-duty booker's phone number goes with the answers it came with
    db.session.execute(
        update(SupervisionRequest)
        .where(SupervisionRequest.school_year_id.in_(expired_years))
        .where(SupervisionRequest.contact_phone != "")
        .values(contact_phone="")
        .execution_options(synchronize_session=False)
    )
    report = {_label(start): n for start, n in sorted(counts.items())}
    audit.record(None, "answers.purged", None, deleted=report)
    return report


def purge_goals(today: date) -> dict[str, int]:
    """Clear the goals of processes whose time is up; return how many per school year."""
    due = (
        SupervisionProcess.school_year_id.in_(_expired_years(today)),
        SupervisionProcess.goals != "",
    )
    counts = dict(
        db.session.execute(
            select(SchoolYear.starts_on, func.count(SupervisionProcess.id))
            .join(SupervisionProcess, SupervisionProcess.school_year_id == SchoolYear.id)
            .where(*due)
            .group_by(SchoolYear.starts_on)
        ).all()
    )
    db.session.execute(
        update(SupervisionProcess)
        .where(*due)
        .values(goals="")
        .execution_options(synchronize_session=False)
    )
    report = {_label(start): n for start, n in sorted(counts.items())}
    audit.record(None, "goals.purged", None, cleared=report)
    return report


@click.command("purge-answers")
@with_appcontext
def purge_answers_command() -> None:
    """Delete pre-question answers and process goals whose retention has ended (run daily)."""
    today = date.today()
    answers, goals = purge_answers(today), purge_goals(today)
    db.session.commit()
    if not answers:
        click.echo("No pre-question answers were due for deletion.")
    for year, n in answers.items():
        click.echo(f"Deleted {n} pre-question answers of school year {year}.")
    if not goals:
        click.echo("No process goals were due for deletion.")
    for year, n in goals.items():
        click.echo(f"Deleted the goals of {n} processes of school year {year}.")

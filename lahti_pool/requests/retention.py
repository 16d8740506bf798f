"""Deleting pre-question answers on the documented schedule (DOMAIN.md "Privacy and law").

Answers are deleted once the school year of their request has ended, plus
``ANSWER_RETENTION_YEARS`` whole school years (0 by default): by then the process
they prepared is over. The job reports counts only, never content.
"""

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, func, select

from lahti_pool.core import audit
from lahti_pool.extensions import db
from lahti_pool.requests.models import PreQuestionAnswer, SchoolYear, SupervisionRequest


def purge_answers(today: date) -> dict[str, int]:
    """Delete the answers whose time is up; return how many per school year."""
    keep_years = current_app.config["ANSWER_RETENTION_YEARS"]
    cutoff = today.replace(year=today.year - keep_years)
    expired_years = select(SchoolYear.id).where(SchoolYear.ends_on < cutoff)
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
    report = {f"{start.year}–{start.year + 1}": n for start, n in sorted(counts.items())}
    audit.record(None, "answers.purged", None, deleted=report)
    return report


@click.command("purge-answers")
@with_appcontext
def purge_answers_command() -> None:
    """Delete pre-question answers whose retention has ended (run daily)."""
    report = purge_answers(date.today())
    db.session.commit()
    if not report:
        click.echo("No pre-question answers were due for deletion.")
    for year, n in report.items():
        click.echo(f"Deleted {n} pre-question answers of school year {year}.")

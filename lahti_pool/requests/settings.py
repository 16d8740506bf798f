"""Administrator settings of the requests feature: school-year quotas and the pre-questions."""

from datetime import date, timedelta

from sqlalchemy import func, select, update

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.core.errors import (
    N_,
    DomainError,
    InvalidTransition,
)
from lahti_pool.extensions import db
from lahti_pool.requests import rules
from lahti_pool.requests.models import (
    PreQuestion,
    QuotaAccount,
    SchoolYear,
)
from lahti_pool.requests.quota import school_year_for

# --- Administrator settings: school-year quotas and the pre-questions -------------


def set_year_quota(actor: User, year: SchoolYear, quota: int) -> None:
    """Change the year's quota for everyone; refused if anyone already has more in use."""
    if not 0 <= quota <= 100:
        raise DomainError(N_("Give a quota between 0 and 100 sessions."), field="quota")
    over = db.session.scalar(
        select(func.count())
        .select_from(QuotaAccount)
        .where(
            QuotaAccount.school_year_id == year.id,
            QuotaAccount.pending + QuotaAccount.reserved + QuotaAccount.used > quota,
        )
    )
    if over:
        raise DomainError(
            N_(
                "%(n)s people already have more than %(quota)s sessions requested, planned "
                "or used this year; choose a larger quota."
            ),
            field="quota",
            n=over,
            quota=quota,
        )
    old = year.quota
    year.quota = quota
    db.session.execute(
        update(QuotaAccount)
        .where(QuotaAccount.school_year_id == year.id)
        .values(quota=quota)
        .execution_options(synchronize_session=False)
    )
    audit.record(actor, "school_year.quota_changed", year, old=old, new=quota)
    db.session.flush()


def _next_year_start(today: date) -> date:
    _starts_on, current_ends_on = rules.school_year_bounds(today)
    return rules.school_year_bounds(current_ends_on + timedelta(days=1))[0]


def next_school_year(today: date) -> SchoolYear | None:
    """The school year after the current one, if it is open for requests already."""
    starts_on = _next_year_start(today)
    return db.session.scalar(select(SchoolYear).where(SchoolYear.starts_on == starts_on))


def open_next_school_year(actor: User, today: date) -> SchoolYear:
    """Create the school year after the current one, so staff can request for it.

    Only that one: a second click (or a double click) says it is open already rather
    than opening the year after it.
    """
    school_year_for(today)  # the current year exists first
    following = next_school_year(today)
    if following is not None:
        raise InvalidTransition(
            N_("School year %(year)s is already open for requests."), year=following.label
        )
    year = school_year_for(_next_year_start(today))
    audit.record(actor, "school_year.opened", year)
    db.session.flush()
    return year


def update_pre_questions(actor: User, texts: dict[int, tuple[str, str]]) -> None:
    """Set the Finnish and English text of each pre-question (positions 1–3)."""
    questions = {q.position: q for q in db.session.scalars(select(PreQuestion))}
    for position, (text_fi, text_en) in texts.items():
        if not text_fi.strip() or not text_en.strip():
            raise DomainError(
                N_("Write question %(n)s in both Finnish and English."),
                field=f"text_fi_{position}",
                n=position,
            )
        question = questions.get(position) or PreQuestion(position=position)
        question.text_fi, question.text_en = text_fi.strip(), text_en.strip()
        db.session.add(question)
    audit.record(actor, "pre_questions.changed", None, positions=sorted(texts))
    db.session.flush()

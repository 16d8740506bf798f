"""The budget feature's e-mails."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lahti_pool.accounts.models import Role, User, UserRole
from lahti_pool.core.mailer import absolute_url, active, mail_domain, queue_mail
from lahti_pool.extensions import db


def notify_budget_threshold(warning, fiscal_year: int, division_name: str = "") -> None:
    """To every pool administrator, once per budget, year and level (threshold, or over 100 %).

    ``warning`` is a ``budget.guard.BudgetWarning``; ``division_name`` is empty for the pool.
    """
    level = "over" if warning.percent >= 100 else "warn"
    budget_key = warning.division_id or "pool"
    admins = db.session.scalars(
        # IN (their ids), not a join: with the statistics of a city (a quarter of the
        # users per role, on average) SQLite chose to read every user for the join.
        select(User)
        .where(User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.ADMIN)))
        .order_by(User.id)
    ).all()
    for user in active(admins):
        queue_mail(
            user,
            "budget_threshold",
            "budget/budget_threshold",
            _l(
                "Supervision budget %(year)s: %(percent)s %% used",
                year=fiscal_year,
                percent=warning.percent,
            ),
            message_id=f"<budget-{fiscal_year}-{budget_key}-{level}-{user.id}@{mail_domain()}>",
            fiscal_year=fiscal_year,
            percent=warning.percent,
            division_name=division_name,
            link=absolute_url("budget.overview"),
        )

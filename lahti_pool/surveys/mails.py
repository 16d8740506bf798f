"""The surveys feature's e-mails."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.core.mailer import absolute_url, active, queue_mail
from lahti_pool.extensions import db


def notify_survey_invitation(survey, user_ids: list[int]) -> None:
    """To each person of the survey's population: a link to the form."""
    link = absolute_url("surveys.answer", survey_id=survey.id)
    for start in range(0, len(user_ids), 1000):
        users = db.session.scalars(select(User).where(User.id.in_(user_ids[start : start + 1000])))
        for user in active(users):
            queue_mail(
                user,
                "survey_invitation",
                "surveys/survey_invitation",
                _l("A survey for you: %(title)s", title=survey.title),
                title=survey.title,
                link=link,
            )

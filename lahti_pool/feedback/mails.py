"""The feedback feature's e-mails."""

from flask_babel import lazy_gettext as _l

from lahti_pool.accounts.models import User
from lahti_pool.core.mailer import absolute_url, active, queue_mail
from lahti_pool.extensions import db
from lahti_pool.sessions.models import SupervisionSession


def notify_feedback_invitation(invitation) -> None:
    """To the client of a ``FeedbackInvitation``: a link to the form (never the answers)."""
    user = db.session.get(User, invitation.user_id)
    sup_session = db.session.get(SupervisionSession, invitation.session_id)
    if not active([user]):
        return
    queue_mail(
        user,
        "feedback_invitation",
        "feedback/feedback_invitation",
        _l("How was your supervision session?"),
        starts_at=sup_session.starts_at,
        supervisor_name=sup_session.process.supervisor.name,
        link=absolute_url("feedback.give", invitation_id=invitation.id),
    )

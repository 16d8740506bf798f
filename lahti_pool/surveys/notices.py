"""What the surveys feature's in-app notifications say (core/notifications.py shows them)."""

from flask_babel import gettext as _

from lahti_pool.core.notifications import NotificationKind, notification_texts, register_subject

register_subject("Survey", "survey", "surveys.answer", "survey_id")


@notification_texts(NotificationKind.SURVEY_INVITATION)
def survey_invitation(p: dict) -> str:
    return _(
        "You are invited to answer a survey. Your answers are stored without your name and "
        "reported only in groups of at least five answers."
    )

"""What the feedback feature's in-app notifications say (core/notifications.py shows them)."""

from flask_babel import gettext as _

from lahti_pool.core.notifications import NotificationKind, notification_texts, register_subject

register_subject("FeedbackInvitation", "feedback", "feedback.give", "invitation_id")


@notification_texts(NotificationKind.FEEDBACK_INVITATION)
def feedback_invitation(p: dict) -> str:
    return _(
        "How was your supervision session? Your feedback helps develop the service; "
        "it is reported only in groups of at least five answers."
    )

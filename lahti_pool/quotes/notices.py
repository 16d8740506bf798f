"""What the quotes feature's in-app notifications say (core/notifications.py shows them)."""

from flask_babel import gettext as _

from lahti_pool.core.notifications import NotificationKind, notification_texts, register_subject

register_subject("Quote", "quote", "quotes.answer", "quote_id")


@notification_texts(NotificationKind.QUOTE_REQUESTED)
def quote_requested(p: dict) -> str:
    return _(
        "You are asked for a quote for group supervision: %(sessions)s sessions for a group "
        "of %(size)s.",
        sessions=p.get("sessions", ""),
        size=p.get("group_size", ""),
    )


@notification_texts(NotificationKind.QUOTE_CLOSED)
def quote_closed(_p: dict) -> str:
    return _("A request for quotes you were sent is decided: another quote was accepted.")

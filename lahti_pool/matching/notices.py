"""What the matching feature's in-app notifications say (core/notifications.py shows them)."""

from flask_babel import gettext as _

from lahti_pool.core.notifications import NotificationKind, notification_texts


@notification_texts(NotificationKind.GROUP_OFFER)
def group_offer(p: dict) -> str:
    return _(
        "Individual supervision is full. You are offered a place in a supervision group "
        "with %(supervisor)s; please answer on the request page.",
        supervisor=p.get("supervisor", ""),
    )

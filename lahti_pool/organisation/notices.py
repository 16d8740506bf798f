"""What the HR sync's in-app notifications say (core/notifications.py shows them)."""

from flask_babel import gettext as _

from lahti_pool.core.notifications import NotificationKind, notification_texts


@notification_texts(NotificationKind.CLIENT_LEFT)
def client_left(p: dict) -> str:
    return _(
        "%(client)s has left the city's employment. Their coming sessions with you were "
        "cancelled (%(cancelled)s); sessions already held stay as they are.",
        client=p.get("client", ""),
        cancelled=p.get("cancelled", 0),
    )

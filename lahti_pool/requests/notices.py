"""What the requests feature's in-app notifications say (core/notifications.py shows them)."""

from flask_babel import gettext as _

from lahti_pool.core.notifications import NotificationKind, notification_texts, register_subject
from lahti_pool.requests.labels import status_label

register_subject("SupervisionRequest", "request", "requests.detail", "request_id")


@notification_texts(NotificationKind.GROUP_INVITATION)
def group_invitation(p: dict) -> str:
    return _(
        "%(organiser)s invited you to the supervision group “%(group)s” "
        "(%(sessions)s sessions). You take part unless you decline.",
        organiser=p.get("organiser", ""),
        group=p.get("group", ""),
        sessions=p.get("sessions", ""),
    )


@notification_texts(NotificationKind.GROUP_MEMBER_DECLINED)
def group_member_declined(p: dict) -> str:
    return _(
        "%(member)s declined the invitation to the group “%(group)s”.",
        member=p.get("member", ""),
        group=p.get("group", ""),
    )


@notification_texts(NotificationKind.REQUEST_STATUS)
def request_status(p: dict) -> str:
    return _("Your request is now: %(status)s.", status=status_label(p.get("status", "submitted")))

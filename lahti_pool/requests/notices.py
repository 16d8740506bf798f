"""What the requests feature's in-app notifications say (core/notifications.py shows them)."""

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from lahti_pool.core.notifications import NotificationKind, notification_texts, register_subject
from lahti_pool.requests.labels import KIND_LABELS, status_label

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
    status = status_label(p.get("status", "submitted"))
    if not p.get("request_kind"):  # notifications made before they named the request
        return _("Your request is now: %(status)s.", status=status)
    what = str(KIND_LABELS.get(p["request_kind"], ""))
    if p.get("group"):
        what = f"{what} “{p['group']}”"
    if p.get("sent"):
        return _(
            "Your request (%(what)s, sent %(sent)s) is now: %(status)s.",
            what=what,
            sent=format_date(date.fromisoformat(p["sent"])),
            status=status,
        )
    return _("Your request (%(what)s) is now: %(status)s.", what=what, status=status)

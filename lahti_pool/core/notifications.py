"""In-app notifications, rendered in the reader's language when shown."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db


class NotificationKind(enum.StrEnum):
    GROUP_INVITATION = "group_invitation"
    GROUP_MEMBER_DECLINED = "group_member_declined"
    REQUEST_STATUS = "request_status"


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, 40))
    #: parameters for the message (names, numbers); never confidential content
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the page the notification leads to
    link: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def notify(user_id: int, kind: NotificationKind, link: str = "", **params) -> Notification:
    note = Notification(user_id=user_id, kind=kind, link=link, params=params)
    db.session.add(note)
    return note


def notification_text(note: Notification) -> str:
    """The notification in the reader's language (needs an app context)."""
    from flask_babel import gettext as _

    from lahti_pool.requests.labels import status_label

    p = note.params
    if note.kind == NotificationKind.GROUP_INVITATION:
        return _(
            "%(organiser)s invited you to the supervision group “%(group)s” "
            "(%(sessions)s sessions). You take part unless you decline.",
            organiser=p.get("organiser", ""),
            group=p.get("group", ""),
            sessions=p.get("sessions", ""),
        )
    if note.kind == NotificationKind.GROUP_MEMBER_DECLINED:
        return _(
            "%(member)s declined the invitation to the group “%(group)s”.",
            member=p.get("member", ""),
            group=p.get("group", ""),
        )
    return _("Your request is now: %(status)s.", status=status_label(p.get("status", "submitted")))

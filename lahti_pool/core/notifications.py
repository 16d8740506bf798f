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


#: model class name -> subject type stored on the notification
SUBJECT_TYPES = {"SupervisionRequest": "request"}
#: subject type -> (endpoint, name of the id argument)
SUBJECT_PAGES = {"request": ("requests.detail", "request_id")}


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, 40))
    #: parameters for the message (names, numbers); never confidential content
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: what the notification is about, e.g. ("request", 42); its page is the link
    subject_type: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def notify(user_id: int, kind: NotificationKind, subject=None, **params) -> Notification:
    """Queue an in-app notification about ``subject`` (a model instance) in this transaction."""
    note = Notification(
        user_id=user_id,
        kind=kind,
        subject_type=SUBJECT_TYPES.get(type(subject).__name__, "") if subject else "",
        subject_id=getattr(subject, "id", None),
        params=params,
    )
    db.session.add(note)
    return note


def notification_link(note: Notification) -> str:
    """The page the notification leads to, or "" (needs a request context)."""
    from flask import url_for

    if note.subject_type not in SUBJECT_PAGES or note.subject_id is None:
        return ""
    endpoint, arg = SUBJECT_PAGES[note.subject_type]
    return url_for(endpoint, **{arg: note.subject_id})


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

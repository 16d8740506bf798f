"""In-app notifications, rendered in the reader's language when shown."""

import enum
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db


class NotificationKind(enum.StrEnum):
    GROUP_INVITATION = "group_invitation"
    GROUP_MEMBER_DECLINED = "group_member_declined"
    REQUEST_STATUS = "request_status"
    PROCESS_ASSIGNED = "process_assigned"  #: to the supervisor: a new client or group
    GROUP_OFFER = "group_offer"  #: to staff: group supervision offered instead
    FEEDBACK_INVITATION = "feedback_invitation"  #: to a client after a held session
    SLOT_BOOKED = "slot_booked"  #: to the supervisor: an on-duty slot was booked
    SLOT_CANCELLED = "slot_cancelled"  #: to the other party: an on-duty booking was cancelled
    SLOT_OFFERED = "slot_offered"  #: to staff on the waiting list: a freed slot is theirs to book
    SLOT_OFFER_EXPIRED = "slot_offer_expired"  #: to staff: the offer lapsed; off the waiting list
    CLIENT_LEFT = "client_left"  #: to the supervisor: a client left the city (HR sync)
    SESSION_MOVED = "session_moved"  #: to the others of a session: it has a new time
    QUOTE_REQUESTED = "quote_requested"  #: to a supervisor: give a quote for a group
    QUOTE_CLOSED = "quote_closed"  #: to a supervisor: another quote was accepted
    SURVEY_INVITATION = "survey_invitation"  #: to a survey's population: answer it


#: model class name -> (subject type stored on the notification, endpoint of its page,
#: name of the id argument); each feature registers its own (``register_subject``)
_SUBJECTS: dict[str, tuple[str, str, str]] = {}
#: kind -> its text in the reader's language, from the notification's params
_TEXTS: dict[str, Callable[[dict], str]] = {}


def register_subject(model_name: str, subject_type: str, endpoint: str, id_arg: str) -> None:
    """Notifications about a ``model_name`` row link to ``endpoint(id_arg=row id)``."""
    _SUBJECTS[model_name] = (subject_type, endpoint, id_arg)


def notification_texts(*kinds: "NotificationKind"):
    """Register ``text(params) -> str`` for ``kinds`` (called in the reader's locale)."""

    def register(text: Callable[[dict], str]):
        for kind in kinds:
            _TEXTS[kind] = text
        return text

    return register


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
    registered = _SUBJECTS.get(type(subject).__name__) if subject is not None else None
    note = Notification(
        user_id=user_id,
        kind=kind,
        subject_type=registered[0] if registered else "",
        subject_id=getattr(subject, "id", None),
        params=params,
    )
    db.session.add(note)
    return note


def notification_link(note: Notification) -> str:
    """The page the notification leads to, or "" (needs a request context)."""
    from flask import url_for

    for subject_type, endpoint, id_arg in _SUBJECTS.values():
        if subject_type == note.subject_type and note.subject_id is not None:
            return url_for(endpoint, **{id_arg: note.subject_id})
    return ""


def notification_text(note: Notification) -> str:
    """The notification in the reader's language (needs an app context)."""
    return _TEXTS[note.kind](note.params)

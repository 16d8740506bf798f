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
    PROCESS_ASSIGNED = "process_assigned"  #: to the supervisor: a new client or group
    GROUP_OFFER = "group_offer"  #: to staff: group supervision offered instead
    FEEDBACK_INVITATION = "feedback_invitation"  #: to a client after a held session
    SLOT_BOOKED = "slot_booked"  #: to the supervisor: an on-duty slot was booked
    SLOT_CANCELLED = "slot_cancelled"  #: to the other party: an on-duty booking was cancelled
    SLOT_OFFERED = "slot_offered"  #: to staff on the waiting list: a freed slot is theirs to book
    SLOT_OFFER_EXPIRED = "slot_offer_expired"  #: to staff: the offer lapsed; off the waiting list
    CLIENT_LEFT = "client_left"  #: to the supervisor: a client left the city (HR sync)


#: model class name -> subject type stored on the notification
SUBJECT_TYPES = {
    "SupervisionRequest": "request",
    "SupervisionProcess": "process",
    "FeedbackInvitation": "feedback",
    "OnDutySlot": "slot",
}
#: subject type -> (endpoint, name of the id argument)
SUBJECT_PAGES = {
    "request": ("requests.detail", "request_id"),
    "process": ("sessions.process_detail", "process_id"),
    "feedback": ("feedback.give", "invitation_id"),
    "slot": ("slots.book", "slot_id"),
}


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

    from lahti_pool.requests.labels import KIND_LABELS, status_label

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
    if note.kind == NotificationKind.PROCESS_ASSIGNED:
        return _(
            "You have a new supervision process: %(kind)s, %(sessions)s sessions.",
            kind=KIND_LABELS.get(p.get("process_kind"), ""),
            sessions=p.get("sessions", ""),
        )
    if note.kind == NotificationKind.FEEDBACK_INVITATION:
        return _(
            "How was your supervision session? Your feedback helps develop the service; "
            "it is reported only in groups of at least five answers."
        )
    if note.kind == NotificationKind.GROUP_OFFER:
        return _(
            "Individual supervision is full. You are offered a place in a supervision group "
            "with %(supervisor)s; please answer on the request page.",
            supervisor=p.get("supervisor", ""),
        )
    if note.kind == NotificationKind.CLIENT_LEFT:
        return _(
            "%(client)s has left the city's employment. Their coming sessions with you were "
            "cancelled (%(cancelled)s); sessions already held stay as they are.",
            client=p.get("client", ""),
            cancelled=p.get("cancelled", 0),
        )
    if note.kind in _SLOT_KINDS:
        return _slot_text(note)
    return _("Your request is now: %(status)s.", status=status_label(p.get("status", "submitted")))


_SLOT_KINDS = {
    NotificationKind.SLOT_BOOKED,
    NotificationKind.SLOT_CANCELLED,
    NotificationKind.SLOT_OFFERED,
    NotificationKind.SLOT_OFFER_EXPIRED,
}


def _slot_text(note: Notification) -> str:
    """On-duty slot notifications; ``starts_at`` is stored as an ISO UTC timestamp."""
    from flask_babel import format_datetime
    from flask_babel import gettext as _

    p = note.params
    when = format_datetime(datetime.fromisoformat(p["starts_at"]), "short")
    if note.kind == NotificationKind.SLOT_BOOKED:
        return _(
            "%(client)s booked your on-duty slot on %(when)s.",
            client=p.get("client", ""),
            when=when,
        )
    if note.kind == NotificationKind.SLOT_CANCELLED:
        return _(
            "The on-duty session on %(when)s with %(who)s was cancelled.",
            who=p.get("who", ""),
            when=when,
        )
    if note.kind == NotificationKind.SLOT_OFFERED:
        return _(
            "A slot with %(supervisor)s on %(when)s is free. It is held for you until %(until)s; "
            "book it on the on-duty slots page.",
            supervisor=p.get("supervisor", ""),
            when=when,
            until=format_datetime(datetime.fromisoformat(p["until"]), "short"),
        )
    return _(
        "The offer of the slot on %(when)s has expired, and your wish on the waiting list is "
        "closed. Ask again if you still want a slot.",
        when=when,
    )

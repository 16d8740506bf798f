"""What the on-duty slots' in-app notifications say (core/notifications.py shows them).

``starts_at`` and ``until`` are stored as ISO UTC timestamps and shown in the reader's
language and time zone.
"""

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from lahti_pool.core.notifications import NotificationKind, notification_texts, register_subject

register_subject("OnDutySlot", "slot", "slots.book", "slot_id")


def _when(p: dict, key: str = "starts_at") -> str:
    return format_datetime(datetime.fromisoformat(p[key]), "short")


@notification_texts(NotificationKind.SLOT_BOOKED)
def slot_booked(p: dict) -> str:
    return _(
        "%(client)s booked your on-duty slot on %(when)s.",
        client=p.get("client", ""),
        when=_when(p),
    )


@notification_texts(NotificationKind.SLOT_CANCELLED)
def slot_cancelled(p: dict) -> str:
    """To the other party; ``outcome`` says who cancelled and whether it was late."""
    who, when = p.get("who", ""), _when(p)
    outcome = p.get("outcome")
    if outcome == "by_supervisor":  # to the booker; ``who`` is the supervisor
        return _(
            "Your supervisor %(who)s cancelled your on-duty session on %(when)s.",
            who=who,
            when=when,
        )
    if outcome == "late":  # to the supervisor; ``who`` is the client
        return _(
            "%(who)s cancelled the on-duty session on %(when)s late, inside the cancellation "
            "window: the session counts as used and is billed.",
            who=who,
            when=when,
        )
    if outcome == "timely":  # to the supervisor; ``who`` is the client
        return _(
            "%(who)s cancelled the on-duty session on %(when)s in time: it is not billed.",
            who=who,
            when=when,
        )
    # Notifications stored before ``outcome`` was recorded.
    return _("The on-duty session on %(when)s with %(who)s was cancelled.", who=who, when=when)


@notification_texts(NotificationKind.SLOT_OFFERED)
def slot_offered(p: dict) -> str:
    return _(
        "A slot with %(supervisor)s on %(when)s is free. It is held for you until %(until)s; "
        "book it on the on-duty slots page.",
        supervisor=p.get("supervisor", ""),
        when=_when(p),
        until=_when(p, "until"),
    )


@notification_texts(NotificationKind.SLOT_OFFER_EXPIRED)
def slot_offer_expired(p: dict) -> str:
    return _(
        "The offer of the slot on %(when)s has expired, and your wish on the waiting list is "
        "closed. Ask again if you still want a slot.",
        when=_when(p),
    )

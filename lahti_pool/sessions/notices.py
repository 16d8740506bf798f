"""What the sessions feature's in-app notifications say (core/notifications.py shows them)."""

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from lahti_pool.core.notifications import NotificationKind, notification_texts, register_subject
from lahti_pool.requests.labels import KIND_LABELS

register_subject("SupervisionProcess", "process", "sessions.process_detail", "process_id")


@notification_texts(NotificationKind.PROCESS_ASSIGNED)
def process_assigned(p: dict) -> str:
    if p.get("clients"):
        return _(
            "You have a new supervision process %(reference)s for %(clients)s: %(kind)s, "
            "%(sessions)s sessions.",
            reference=p.get("reference", ""),
            clients=p["clients"],
            kind=KIND_LABELS.get(p.get("process_kind"), ""),
            sessions=p.get("sessions", ""),
        )
    return _(
        "You have a new supervision process: %(kind)s, %(sessions)s sessions.",
        kind=KIND_LABELS.get(p.get("process_kind"), ""),
        sessions=p.get("sessions", ""),
    )


@notification_texts(NotificationKind.SESSION_MOVED)
def session_moved(p: dict) -> str:
    return _(
        "%(who)s moved the session of %(was)s to %(when)s.",
        who=p.get("who", ""),
        was=format_datetime(datetime.fromisoformat(p["was"]), "short"),
        when=format_datetime(datetime.fromisoformat(p["starts_at"]), "short"),
    )

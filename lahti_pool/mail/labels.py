"""What each kind of e-mail is, in words (the outbox shows these, never the codes)."""

from flask_babel import lazy_gettext as _l

#: the ``kind`` each feature's mails.py or jobs.py gives ``queue_mail``
KIND_LABELS = {
    "budget_threshold": _l("Budget threshold reached"),
    "circle_invitation": _l("Invitation to a covision circle"),
    "circle_meeting": _l("Covision meeting planned"),
    "circle_meeting_cancelled": _l("Covision meeting cancelled"),
    "circle_meeting_changed": _l("Covision meeting changed"),
    "email_change_confirm": _l("Confirm a new e-mail address"),
    "email_changed": _l("E-mail address changed"),
    "feedback_invitation": _l("Invitation to give feedback"),
    "survey_invitation": _l("Invitation to answer a survey"),
    "group_invitation": _l("Invitation to a group"),
    "host_reminder": _l("Reminder to the host of a group session"),
    "network_cancellation": _l("Network event registration cancelled"),
    "network_place_freed": _l("Place at a network event freed for you"),
    "network_registration": _l("Registered for a network event"),
    "network_reminder": _l("Network event reminder"),
    "network_waiting": _l("On the waiting list of a network event"),
    "password_invitation": _l("Invitation to set a password"),
    "password_reset": _l("Password reset link"),
    "programme_certificate": _l("Certificate of completion issued"),
    "programme_decision": _l("Decision on a programme place"),
    "programme_guest_invitation": _l("Invitation to a wider-network day"),
    "process_accepted": _l("Supervision accepted"),
    "quote_closed": _l("Request for quotes decided"),
    "quote_requested": _l("Request for quotes"),
    "reminder": _l("Session reminder"),
    "request_received": _l("Request received"),
    "session_cancelled": _l("Session cancelled"),
    "session_changed": _l("Session changed"),
    "session_planned": _l("Session planned"),
    "slot_booked": _l("On-duty slot booked"),
    "theme_to_confirm": _l("Theme for management to confirm"),
    "weekly_digest": _l("Weekly on-duty times"),
}


def kind_label(kind: str) -> str:
    """The kind in words; a kind without a label yet reads as its words, not as a code."""
    label = KIND_LABELS.get(kind)
    return str(label) if label is not None else kind.replace("_", " ").capitalize()

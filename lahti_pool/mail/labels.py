"""What each kind of e-mail is, in words (the outbox shows these, never the codes)."""

from flask_babel import lazy_gettext as _l

#: the ``kind`` each feature's mails.py or jobs.py gives ``queue_mail``
KIND_LABELS = {
    "budget_threshold": _l("Budget threshold reached"),
    "email_change_confirm": _l("Confirm a new e-mail address"),
    "email_changed": _l("E-mail address changed"),
    "feedback_invitation": _l("Invitation to give feedback"),
    "survey_invitation": _l("Invitation to answer a survey"),
    "group_invitation": _l("Invitation to a group"),
    "password_invitation": _l("Invitation to set a password"),
    "password_reset": _l("Password reset link"),
    "process_accepted": _l("Supervision accepted"),
    "reminder": _l("Session reminder"),
    "request_received": _l("Request received"),
    "session_cancelled": _l("Session cancelled"),
    "session_changed": _l("Session changed"),
    "session_planned": _l("Session planned"),
    "slot_booked": _l("On-duty slot booked"),
    "weekly_digest": _l("Weekly on-duty times"),
}


def kind_label(kind: str) -> str:
    """The kind in words; a kind without a label yet reads as its words, not as a code."""
    label = KIND_LABELS.get(kind)
    return str(label) if label is not None else kind.replace("_", " ").capitalize()

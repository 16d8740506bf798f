"""Texts of the hosting feature shared by pages and e-mails."""

from flask_babel import lazy_gettext as _l

from lahti_pool.hosting.rules import checklist

ARRANGEMENT_LABELS = {
    "venue": _l("The room or venue is booked for the time of the meeting."),
    "accessibility": _l(
        "Accessibility is checked: step-free access, a hearing loop, parking, how to find the room."
    ),
    "video": _l("The video link works, for the members who join from afar."),
    "refreshments": _l("Refreshments are arranged."),
    "directions": _l("Directions have been sent to the members."),
}


def host_checklist(sup_session) -> list[str]:
    """The host's arrangements for ``sup_session``, in the reader's language."""
    items = checklist(sup_session.mode, bool(sup_session.video_url))
    return [str(ARRANGEMENT_LABELS[item]) for item in items]

"""Quote states in words."""

from flask_babel import lazy_gettext as _l

QUOTE_STATUS_LABELS = {
    "asked": _l("not answered yet"),
    "given": _l("quote given"),
    "declined": _l("declined to quote"),
    "accepted": _l("accepted"),
    "closed": _l("not chosen"),
}


def quote_status_label(status: str) -> str:
    return str(QUOTE_STATUS_LABELS.get(status, status))

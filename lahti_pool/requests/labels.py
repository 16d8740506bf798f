"""Translated labels for request states and kinds, used by templates."""

from flask_babel import lazy_gettext as _l

from lahti_pool.requests.models import MemberStatus, Mode, RequestKind
from lahti_pool.requests.rules import RequestStatus

#: how one can meet, and the languages one can be supervised in (forms and lists)
MODE_LABELS = {
    Mode.ON_SITE: _l("On site"),
    Mode.VIDEO: _l("Video meeting"),
    Mode.PHONE: _l("Phone"),
}
LANGUAGE_LABELS = {
    "fi": _l("Finnish"),
    "sv": _l("Swedish"),
    "en": _l("English"),
    "et": _l("Estonian"),
    "ru": _l("Russian"),
}

STATUS_LABELS = {
    RequestStatus.SUBMITTED: _l("Submitted"),
    RequestStatus.MATCHED: _l("Supervisor proposed"),
    RequestStatus.ACCEPTED: _l("Accepted"),
    RequestStatus.WAITLISTED: _l("On the waiting list"),
    RequestStatus.GROUP_OFFERED: _l("Group supervision offered"),
    RequestStatus.WITHDRAWN: _l("Withdrawn"),
    RequestStatus.DECLINED: _l("Declined"),
}

NEXT_STEPS = {
    RequestStatus.SUBMITTED: _l(
        "The pool administrator assigns a supervisor from the pool. You will be notified here."
    ),
    RequestStatus.MATCHED: _l(
        "A supervisor has been proposed; the administrator confirms the assignment soon."
    ),
    RequestStatus.ACCEPTED: _l("Your supervisor will contact you to agree on the first session."),
    RequestStatus.WAITLISTED: _l(
        "All suitable supervisors are fully booked. You keep your place in the queue."
    ),
    RequestStatus.GROUP_OFFERED: _l(
        "Individual supervision is full; you have been offered a place in a group instead."
    ),
    RequestStatus.WITHDRAWN: _l("You withdrew this request. Its sessions are free again."),
    RequestStatus.DECLINED: _l("The request was declined. Its sessions are free again."),
}

KIND_LABELS = {
    RequestKind.INDIVIDUAL: _l("Individual supervision"),
    RequestKind.GROUP: _l("Group supervision"),
    RequestKind.ON_DUTY: _l("On-duty session"),
}

MEMBER_LABELS = {
    MemberStatus.ORGANISER: _l("Organiser"),
    MemberStatus.INVITED: _l("Taking part"),
    MemberStatus.DECLINED: _l("Declined the invitation"),
}


def status_label(status) -> str:
    return str(STATUS_LABELS[RequestStatus(status)])


#: the reasons the app itself records on a request's history (stored as these English
#: keys, shown in the reader's language); any other reason is what a person typed
EVENT_REASONS = {
    "matching proposal": _l("proposed by matching"),
    "no supervisor free": _l("no supervisor free"),
    "group offered": _l("group supervision offered"),
    "group offer declined": _l("group offer declined"),
    "group formed": _l("group formed"),
    "no answer to the group offer": _l("no answer to the group offer"),
    "group offer cancelled": _l("group offer cancelled"),
    "group offer expired": _l("group offer expired"),
    "on-duty slot booked": _l("on-duty slot booked"),
}


def event_reason(reason: str) -> str:
    return str(EVENT_REASONS.get(reason, reason))

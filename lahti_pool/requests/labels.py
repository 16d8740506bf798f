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


#: what a member who declined a group invitation sees, whatever became of the group
YOU_DECLINED = _l("You declined the invitation")
YOU_DECLINED_NEXT = _l("You are not in this group; it uses none of your sessions.")
#: an on-duty request is accepted when its slot is booked: the time is already agreed
ON_DUTY_BOOKED_NEXT = _l("Your on-duty session is booked at a set time; see My on-duty bookings.")


def _declined_by(sup_request, user) -> bool:
    row = sup_request.member_row(user) if user is not None else None
    return row is not None and row.status == MemberStatus.DECLINED


def own_status_label(sup_request, user) -> str:
    """The request's state as ``user`` sees it: a member who declined sees that."""
    if _declined_by(sup_request, user):
        return str(YOU_DECLINED)
    return status_label(sup_request.status)


def own_next_step(sup_request, user) -> str:
    """What happens next for ``user``: nothing for a member who declined; an accepted
    on-duty booking has its time already."""
    if _declined_by(sup_request, user):
        return str(YOU_DECLINED_NEXT)
    status = RequestStatus(sup_request.status)
    if sup_request.kind == RequestKind.ON_DUTY and status == RequestStatus.ACCEPTED:
        return str(ON_DUTY_BOOKED_NEXT)
    return str(NEXT_STEPS[status])


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

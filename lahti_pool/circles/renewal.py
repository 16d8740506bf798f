"""Back to a supervisor: a circle asks for one again, or a closed group is renewed for the
next season with another supervisor. Both are an ordinary group request made through the
requests feature (quota held, members invited, matched by the administrator), with the
same members: the actor as organiser, the others as invited members.

"Another supervisor" is the group's stated preference: the previous one is left out of the
choice and the request does not ask to continue with them. The matching engine treats a
preference as a wish it keeps when capacity allows (and as the only choice under the
client-choice rule), not as a ban; the administrator sees the preference on the proposal.
"""

from dataclasses import replace
from datetime import date

from lahti_pool.accounts.models import User
from lahti_pool.circles.models import CovisionCircle
from lahti_pool.core.errors import N_, DomainError, NotPermitted
from lahti_pool.requests.models import RequestKind, SupervisionRequest
from lahti_pool.requests.services import GroupRequestInput, submit_group_request
from lahti_pool.sessions import processes
from lahti_pool.sessions.models import ProcessStatus, SupervisionProcess


def ask_for_supervisor(
    actor: User, circle: CovisionCircle, data: GroupRequestInput, today: date, locale: str
) -> SupervisionRequest:
    """A group request for the circle's members, named after the circle."""
    if not circle.is_member(actor):
        raise NotPermitted(N_("Only the circle's members can do this."))
    emails = tuple(m.user.email for m in circle.joined if m.user_id != actor.id)
    data = replace(data, group_name=circle.name, member_emails=emails)
    return submit_group_request(actor, data, today, locale)


def can_renew(user: User, process: SupervisionProcess) -> bool:
    return (
        process.kind == RequestKind.GROUP
        and process.status == ProcessStatus.CLOSED
        and processes.is_client_of(user, process)
    )


def renew_group(
    actor: User, process: SupervisionProcess, data: GroupRequestInput, today: date, locale: str
) -> SupervisionRequest:
    """The same members for a new season with another supervisor than the previous one."""
    if not can_renew(actor, process):
        raise NotPermitted(N_("A member of a closed group can renew it."))
    if data.preferred_supervisor_id in (None, process.supervisor_id):
        raise DomainError(
            N_("Choose the supervisor for the new season: another than the previous one."),
            field="preferred_supervisor",
        )
    emails = tuple(
        m.user.email for m in process.members if m.user_id != actor.id and m.user.is_active
    )
    name = (process.request.group_name if process.request else "") or process.reference
    data = replace(data, group_name=name, member_emails=emails, continue_previous=False)
    return submit_group_request(actor, data, today, locale)

"""A unit manager orders group supervision for named members of their unit.

The manager is the request's requester but not a member: the order holds the sessions of
the members only, never the manager's own quota. The members are invited as in any group
request and may decline. The request then goes through the usual matching and becomes a
process through ``sessions.processes.open_process``; the order's grounds name the manager
(``team_order_ground``).
"""

from datetime import date

from flask import current_app

from lahti_pool.accounts.addresses import lookup_form
from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, NotPermitted, QuotaExceeded
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.extensions import db
from lahti_pool.requests import rules
from lahti_pool.requests.mails import notify_group_invitation, notify_request_received
from lahti_pool.requests.models import (
    MemberStatus,
    RequestKind,
    RequestMember,
    SchoolYear,
    SupervisionRequest,
)
from lahti_pool.requests.quota import account_for, change_quota
from lahti_pool.requests.rules import QuotaOp, RequestStatus
from lahti_pool.requests.services import (
    GroupRequestInput,
    _add_answers,
    find_members,
    open_school_years,
    record_event,
)
from lahti_pool.supervisors.models import Supervisor

#: the grounds entry of a team order (SupervisionProcess.grounds), read by the order export
TEAM_ORDER = "team_order"

_SHORT = N_(
    "Not enough sessions left this school year for: %(names)s. "
    "Ask for fewer sessions or leave them out of the group."
)


def _check_order(actor: User, data: GroupRequestInput, today: date) -> SchoolYear:
    if not actor.is_unit_manager:
        raise NotPermitted(N_("Only the manager of a unit can order supervision for its team."))
    year = db.session.get(SchoolYear, data.school_year_id)
    if year is None or year not in open_school_years(today):
        raise DomainError(N_("Choose the current or a coming school year."), field="school_year")
    if data.wanted_from < today:
        raise DomainError(N_("Choose today or a later date."), field="wanted_from")
    rules.check_date_in_year(data.wanted_from, year.starts_on, year.ends_on, "wanted_from")
    if data.preferred_supervisor_id is not None:
        supervisor = db.session.get(Supervisor, data.preferred_supervisor_id)
        if supervisor is None or not supervisor.active:
            raise DomainError(
                N_("Choose a supervisor from the list."), field="preferred_supervisor"
            )
    if data.sessions < 1:
        rules.check_sessions_requested(data.sessions, 0)
    return year


def _members(actor: User, emails: list[str]) -> list[User]:
    """The named members, each checked: known, active, staff, of the manager's unit."""
    duplicates = sorted({e for e in emails if emails.count(e) > 1})
    if duplicates:
        raise DomainError(
            N_("Each colleague only once, please: %(emails)s."),
            field="members",
            emails=", ".join(duplicates),
        )
    if actor.email in emails:
        raise DomainError(
            N_("You order for your team without taking part yourself; leave your own address out."),
            field="members",
        )
    config = current_app.config
    low, high = config["GROUP_MIN_MEMBERS"], config["GROUP_MAX_MEMBERS"]
    if not low <= len(emails) <= high:
        raise DomainError(
            N_("Name %(min)s to %(max)s members of your team; you named %(n)s."),
            field="members",
            min=low,
            max=high,
            n=len(emails),
        )
    found = find_members(emails)
    elsewhere = [e for e in emails if found[e].unit_id != actor.unit_id]
    if elsewhere:
        raise DomainError(
            N_("These people are not in your unit, %(unit)s: %(emails)s."),
            field="members",
            unit=actor.unit.name if actor.unit else "",
            emails=", ".join(elsewhere),
        )
    return [found[e] for e in emails]


def submit_team_request(
    actor: User, data: GroupRequestInput, today: date, locale: str = "fi"
) -> SupervisionRequest:
    """The manager's order: every named member holds the sessions; the manager does not."""
    year = _check_order(actor, data, today)
    members = _members(actor, [lookup_form(e) for e in data.member_emails if e.strip()])
    accounts = {p.id: account_for(p.id, year) for p in members}
    short = [p for p in members if accounts[p.id].state().available < data.sessions]
    if short:
        raise QuotaExceeded(_SHORT, field="members", names=", ".join(p.name for p in short))
    # Lock quota rows in a fixed order so that concurrent orders cannot deadlock.
    for person in sorted(members, key=lambda p: p.id):
        try:
            change_quota(accounts[person.id], QuotaOp.HOLD, data.sessions)
        except QuotaExceeded as exc:  # a concurrent request took the last sessions
            raise QuotaExceeded(_SHORT, field="members", names=person.name) from exc
    sup_request = SupervisionRequest(
        kind=RequestKind.GROUP,
        team_order=True,
        requester_id=actor.id,
        school_year_id=year.id,
        sessions_requested=data.sessions,
        modes=list(data.modes),
        language=data.language,
        preferred_supervisor_id=data.preferred_supervisor_id,
        continue_previous=data.continue_previous,
        times_that_suit=data.times_that_suit.strip(),
        wanted_from=data.wanted_from,
        group_name=data.group_name.strip(),
    )
    for person in members:
        sup_request.members.append(RequestMember(user_id=person.id, status=MemberStatus.INVITED))
    _add_answers(sup_request, data.answers, locale)
    record_event(sup_request, actor, RequestStatus.SUBMITTED)
    db.session.add(sup_request)
    db.session.flush()
    for person in members:
        notify(
            person.id,
            NotificationKind.GROUP_INVITATION,
            sup_request,
            organiser=actor.name,
            group=sup_request.group_name,
            sessions=data.sessions,
        )
        notify_group_invitation(sup_request, person)
    notify_request_received(sup_request)
    audit.record(actor, "request.submitted", sup_request, kind="team", members=len(members))
    return sup_request


def team_order_ground(sup_request: SupervisionRequest) -> dict:
    """The grounds entry naming the manager who ordered the group for their team."""
    manager = sup_request.requester
    return {"reason": TEAM_ORDER, "name": manager.name, "manager_id": manager.id}

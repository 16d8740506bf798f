"""Use cases of the staff side: submit, withdraw, decline a group invitation.

Services take the acting user, change models, flush, and never commit: the view
commits once, or rolls back on a DomainError so that nothing is half-saved.
"""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from lahti_pool.accounts.addresses import lookup_form
from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit
from lahti_pool.core.errors import (
    N_,
    DomainError,
    NotPermitted,
    QuotaExceeded,
)
from lahti_pool.core.models import utcnow
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.extensions import db
from lahti_pool.guests import membership
from lahti_pool.requests import rules
from lahti_pool.requests.mails import notify_group_invitation, notify_request_received
from lahti_pool.requests.models import (
    MemberStatus,
    PreQuestion,
    PreQuestionAnswer,
    RequestEvent,
    RequestKind,
    RequestMember,
    SchoolYear,
    SupervisionRequest,
)
from lahti_pool.requests.quota import account_for, change_quota, outside_quota, school_year_for
from lahti_pool.requests.rules import QuotaOp, RequestStatus
from lahti_pool.supervisors.models import Supervisor


@dataclass(frozen=True)
class RequestInput:
    school_year_id: int
    sessions: int
    modes: tuple[str, ...]
    language: str
    wanted_from: date
    times_that_suit: str = ""
    preferred_supervisor_id: int | None = None
    continue_previous: bool = False
    #: answers to the pre-questions, by position (1–3)
    answers: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupRequestInput(RequestInput):
    group_name: str = ""
    member_emails: tuple[str, ...] = ()
    #: guest organisations taking part beside the city (guests/membership.py); a guest
    #: official's own is added for them
    organisation_ids: tuple[int, ...] = ()


def open_school_years(today: date) -> list[SchoolYear]:
    """School years a request may be made for: the current one and any later one."""
    current = school_year_for(today)
    return list(
        db.session.scalars(
            select(SchoolYear)
            .where(SchoolYear.starts_on >= current.starts_on)
            .order_by(SchoolYear.starts_on)
        )
    )


def _check_common(
    actor: User, data: RequestInput, today: date, guest_may: bool = False
) -> SchoolYear:
    # a guest organisation's official may organise a group, not ask for themself alone
    if not (actor.has_role(Role.STAFF) or (guest_may and actor.has_role(Role.GUEST))):
        raise NotPermitted(N_("Only staff members can request supervision."))
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
    return year


class OpenRequestExists(DomainError):
    """The person already has an individual request waiting for this school year."""

    def __init__(self, existing: SupervisionRequest) -> None:
        super().__init__(
            N_(
                "You already have a request for individual supervision waiting for school "
                "year %(year)s. Withdraw it first if you want to send a different one."
            ),
            year=existing.school_year.label,
        )
        #: the waiting request, for the page to link to
        self.request_id = existing.id


def waiting_individual_request(user_id: int, year: SchoolYear) -> SupervisionRequest | None:
    """The person's open individual request for the year, if any (at most one)."""
    return db.session.scalar(
        select(SupervisionRequest)
        .where(
            SupervisionRequest.requester_id == user_id,
            SupervisionRequest.school_year_id == year.id,
            SupervisionRequest.kind == RequestKind.INDIVIDUAL,
            SupervisionRequest.status.in_(rules.OPEN_STATUSES),
        )
        .order_by(SupervisionRequest.id)
        .limit(1)
    )


def _refuse_second_request(actor: User, year: SchoolYear) -> None:
    existing = waiting_individual_request(actor.id, year)
    if existing is not None:
        raise OpenRequestExists(existing)


def _add_answers(sup_request: SupervisionRequest, answers: dict[int, str], locale: str) -> None:
    questions = {q.position: q for q in db.session.scalars(select(PreQuestion))}
    for position, answer in sorted(answers.items()):
        if position in questions and answer.strip():
            sup_request.answers.append(
                PreQuestionAnswer(
                    position=position,
                    question=questions[position].text(locale),
                    answer=answer.strip(),
                )
            )


def record_event(sup_request, actor, new_status, reason="", old_status=None):
    sup_request.events.append(
        RequestEvent(
            actor_id=getattr(actor, "id", None),  # None: the system (a daily job)
            from_status=old_status,
            to_status=new_status,
            reason=reason,
        )
    )


def submit_individual_request(
    actor: User, data: RequestInput, today: date, locale: str = "fi"
) -> SupervisionRequest:
    """Submit an individual request; holds the sessions from the actor's quota.

    One waiting individual request per person and school year: a second one (a double
    click, a resubmitted form) is refused with a link to the first. Race-free: the quota
    hold is a conditional UPDATE of the person's quota row, which the database lets only
    one transaction at a time change; the check after it sees any request a concurrent
    submission committed meanwhile.
    """
    year = _check_common(actor, data, today)
    _refuse_second_request(actor, year)  # the usual case, before anything is locked
    account = account_for(actor.id, year)
    rules.check_sessions_requested(data.sessions, account.state().available)
    change_quota(account, QuotaOp.HOLD, data.sessions)
    _refuse_second_request(actor, year)  # a concurrent submission that won the row
    sup_request = SupervisionRequest(
        kind=RequestKind.INDIVIDUAL,
        requester_id=actor.id,
        school_year_id=year.id,
        sessions_requested=data.sessions,
        modes=list(data.modes),
        language=data.language,
        preferred_supervisor_id=data.preferred_supervisor_id,
        continue_previous=data.continue_previous,
        times_that_suit=data.times_that_suit.strip(),
        wanted_from=data.wanted_from,
    )
    _add_answers(sup_request, data.answers, locale)
    record_event(sup_request, actor, RequestStatus.SUBMITTED)
    db.session.add(sup_request)
    db.session.flush()
    audit.record(actor, "request.submitted", sup_request, kind="individual")
    notify_request_received(sup_request)
    return sup_request


def find_members(emails: list[str], organisation_ids: list[int] | None = None) -> dict[str, User]:
    """The named members by address: refused (with the addresses) when one is unknown,
    inactive or not staff. With ``organisation_ids`` (a group across organisations), the
    active officials of those guest organisations may be members too; an official of
    another organisation is refused, naming it."""
    found = {
        u.email: u
        for u in db.session.scalars(select(User).where(func.lower(User.email).in_(emails)))
    }
    unknown = [e for e in emails if e not in found or not found[e].is_active]
    if unknown:
        raise DomainError(
            N_("No colleague with this address: %(emails)s. Check the spelling."),
            field="members",
            emails=", ".join(unknown),
        )
    allowed = (Role.STAFF,) if organisation_ids is None else (Role.STAFF, Role.GUEST)
    not_staff = [e for e in emails if not found[e].has_role(*allowed)]
    if not_staff:
        raise DomainError(
            N_("These people cannot take part in staff supervision: %(emails)s."),
            field="members",
            emails=", ".join(not_staff),
        )
    if organisation_ids is not None:
        membership.check_members([found[e] for e in emails], organisation_ids)
    return found


def submit_group_request(
    actor: User, data: GroupRequestInput, today: date, locale: str = "fi"
) -> SupervisionRequest:
    """Submit a group request; every member, the organiser included, holds the sessions
    (but the guest organisations' officials, who have no city quota)."""
    year = _check_common(actor, data, today, guest_may=True)
    org_ids = membership.taking_part(actor, data.organisation_ids)
    emails = [lookup_form(e) for e in data.member_emails if e.strip()]
    duplicates = sorted({e for e in emails if emails.count(e) > 1})
    if duplicates:
        raise DomainError(
            N_("Each colleague only once, please: %(emails)s."),
            field="members",
            emails=", ".join(duplicates),
        )
    if actor.email in emails:
        raise DomainError(
            N_("You are in the group as its organiser; leave your own address out."),
            field="members",
        )
    config = current_app.config
    rules.check_group_size(
        len(emails) + 1, config["GROUP_MIN_MEMBERS"], config["GROUP_MAX_MEMBERS"]
    )
    found = find_members(emails, org_ids)
    people = [actor] + [found[e] for e in emails]
    guests = outside_quota(p.id for p in people)
    accounts = {p.id: account_for(p.id, year) for p in people if p.id not in guests}
    short = [
        p for p in people if p.id in accounts and accounts[p.id].state().available < data.sessions
    ]
    if short:
        raise QuotaExceeded(
            N_(
                "Not enough sessions left this school year for: %(names)s. "
                "Ask for fewer sessions or leave them out of the group."
            ),
            field="members",
            names=", ".join(p.name for p in short),
        )
    if data.sessions < 1:
        rules.check_sessions_requested(data.sessions, 0)
    # Lock quota rows in a fixed order so that concurrent groups cannot deadlock.
    for person in sorted((p for p in people if p.id in accounts), key=lambda p: p.id):
        try:
            change_quota(accounts[person.id], QuotaOp.HOLD, data.sessions)
        except QuotaExceeded as exc:  # a concurrent request took the last sessions
            raise QuotaExceeded(
                N_(
                    "Not enough sessions left this school year for: %(names)s. "
                    "Ask for fewer sessions or leave them out of the group."
                ),
                field="members",
                names=person.name,
            ) from exc
    sup_request = SupervisionRequest(
        kind=RequestKind.GROUP,
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
    sup_request.members.append(RequestMember(user_id=actor.id, status=MemberStatus.ORGANISER))
    for person in people[1:]:
        sup_request.members.append(RequestMember(user_id=person.id, status=MemberStatus.INVITED))
    _add_answers(sup_request, data.answers, locale)
    record_event(sup_request, actor, RequestStatus.SUBMITTED)
    db.session.add(sup_request)
    db.session.flush()
    membership.record(sup_request.id, org_ids)
    for person in people[1:]:
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
    audit.record(actor, "request.submitted", sup_request, kind="group", members=len(people))
    return sup_request


def _release_all(sup_request: SupervisionRequest) -> None:
    year = sup_request.school_year
    if sup_request.kind == RequestKind.GROUP:
        holders = [m.user_id for m in sup_request.participating_members]
    else:
        holders = [sup_request.requester_id]
    for user_id in sorted(set(holders) - outside_quota(holders)):
        change_quota(account_for(user_id, year), QuotaOp.RELEASE, sup_request.sessions_requested)


def change_status(
    actor: User,
    sup_request: SupervisionRequest,
    new_status: RequestStatus,
    reason: str = "",
    notify_people: bool = True,
) -> None:
    """Move the request to ``new_status``, recording who, when and why.

    ``notify_people=False`` for moves inside a matching run, which the staff member
    hears about only once the administrator acts on the proposal.
    """
    old = sup_request.status
    rules.check_transition(old, new_status)
    if new_status in (RequestStatus.WITHDRAWN, RequestStatus.DECLINED):
        _release_all(sup_request)
    sup_request.status = new_status
    record_event(sup_request, actor, new_status, reason.strip(), old_status=old)
    notify_ids = {m.user_id for m in sup_request.participating_members} | {sup_request.requester_id}
    notify_ids.discard(getattr(actor, "id", None))
    for user_id in sorted(notify_ids) if notify_people else ():
        notify(
            user_id,
            NotificationKind.REQUEST_STATUS,
            sup_request,
            status=new_status.value,
            # which request: the reader may have several (dates are ISO, shown localised)
            request_kind=sup_request.kind.value,
            group=sup_request.group_name or "",
            sent=sup_request.created_at.date().isoformat() if sup_request.created_at else "",
        )
    audit.record(actor, "request.status_changed", sup_request, old=old.value, new=new_status.value)
    db.session.flush()


def withdraw_request(actor: User, sup_request: SupervisionRequest, reason: str = "") -> None:
    """The requester takes back an open request; all held sessions are released."""
    if not sup_request.can_withdraw(actor):
        if actor.id != sup_request.requester_id:
            raise NotPermitted(N_("Only the person who made the request can withdraw it."))
        raise DomainError(N_("This request can no longer be withdrawn."))
    change_status(actor, sup_request, RequestStatus.WITHDRAWN, reason)


def decline_group_membership(
    actor: User, sup_request: SupervisionRequest, reason: str = ""
) -> None:
    """A named member says no to a group; their held sessions are released."""
    if not sup_request.can_decline_membership(actor):
        raise DomainError(N_("You have no open invitation to this group."))
    row = sup_request.member_row(actor)
    if not outside_quota([actor.id]):
        change_quota(
            account_for(actor.id, sup_request.school_year),
            QuotaOp.RELEASE,
            sup_request.sessions_requested,
        )
    row.status = MemberStatus.DECLINED
    row.responded_at = utcnow()
    notify(
        sup_request.requester_id,
        NotificationKind.GROUP_MEMBER_DECLINED,
        sup_request,
        member=actor.name,
        group=sup_request.group_name,
    )
    audit.record(actor, "request.member_declined", sup_request)
    db.session.flush()

"""The one home of a supervision process: it is opened, and closed, only here.

Every order under the framework agreement opens a process through ``open_process``:
an accepted matching proposal, the administrator's override, a group formed from a
Lahti-fallback offer and a booked on-duty slot (and the kinds to come). Opening
freezes the price and VAT, runs the budget guard (with its audited override),
reserves the supervisor's capacity, settles the clients' quota, records the grounds,
notifies and audits, in that order and in one transaction; the warnings come back as
a value. ``close_process`` and ``close`` end one, giving back what is left.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lahti_pool.accounts.models import Role, User
from lahti_pool.budget.costkey import CostKey, check_key, org_key, split_session
from lahti_pool.budget.guard import BudgetWarning, check_budget
from lahti_pool.budget.rules import division_weights, split_cents
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition, NotPermitted
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.extensions import db
from lahti_pool.organisation.orgs import organisation_ids
from lahti_pool.requests import services as request_services
from lahti_pool.requests.models import RequestKind, SchoolYear, SupervisionRequest
from lahti_pool.requests.quota import account_for, change_quota, outside_quota
from lahti_pool.requests.rules import QuotaOp, RequestStatus
from lahti_pool.sessions import rules
from lahti_pool.sessions.mails import notify_process_accepted
from lahti_pool.sessions.models import (
    USING_STATUSES,
    ProcessMember,
    ProcessStatus,
    SessionStatus,
    SupervisionProcess,
)
from lahti_pool.sessions.rules import Share
from lahti_pool.supervisors import capacity
from lahti_pool.supervisors.models import Supervisor, SupervisorKind


@dataclass(frozen=True)
class ProcessClient:
    """A client of the order: whose quota it uses and which request they came with."""

    user_id: int
    request_id: int | None
    #: the client's division (cost centre), for the budget guard's split
    division_id: int | None
    #: sessions the client's request holds as pending; what the order does not grant
    #: of them is given back (an on-duty booking holds none: it books its one session)
    held: int = 0


@dataclass(frozen=True)
class ProcessOrder:
    """Everything that opens a process; built by the feature that places the order."""

    kind: RequestKind
    supervisor: Supervisor
    school_year: SchoolYear
    sessions: int
    clients: tuple[ProcessClient, ...]
    #: the allocation rule applied (ranking, override, group_fallback, on_duty, ...)
    rule: str
    #: why this supervisor, for the procurement record (see SupervisionProcess.grounds)
    grounds: list
    #: the budget year the whole order is checked in
    fiscal_year: int
    #: the request the process stands for (None for a group formed from an offer)
    request: SupervisionRequest | None = None
    #: the requests that become accepted with the process, and the reason recorded
    accepting: tuple[SupervisionRequest, ...] = ()
    accept_reason: str = ""
    group_offer_id: int | None = None
    run_id: int | None = None
    #: the administrator's reason for choosing another supervisor than proposed
    override_reason: str = ""
    #: the administrator's audited reason to go over 100 % of a budget
    budget_override_reason: str = ""
    #: the supervisor is notified and the clients mailed; a booked slot confirms itself
    announce: bool = True
    #: an on-duty booking takes one session of capacity but no process place
    process_place: bool = True
    #: a price per session (net, cents) quoted for this order (quotes/), frozen instead
    #: of the agreement's price; None for every other order
    price_cents: int | None = None
    #: how a group across organisations shares each session's price (budget/costkey.py)
    cost_key: str = CostKey.ATTENDANCE
    #: fixed shares in basis points per organisation key (0: the city), for ``shares``
    cost_shares: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Opened:
    process: SupervisionProcess
    #: budgets at or over their warning threshold after the order (shown, not stored)
    warnings: list[BudgetWarning] = field(default_factory=list)


def open_process(actor: User | None, order: ProcessOrder) -> Opened:
    """Open the process ``order`` describes, or raise a DomainError and change nothing."""
    supervisor, year = order.supervisor, order.school_year
    price = order.price_cents
    if price is None:
        price = rules.frozen_price(
            str(order.kind), supervisor.price_individual_cents, supervisor.price_group_cents
        )
    agreement = supervisor.agreement
    vat = rules.frozen_vat(
        supervisor.kind == SupervisorKind.CONTRACTED, agreement.vat_percent if agreement else None
    )
    shares, split = _order_split(order, order.sessions * price)
    warnings = check_budget(
        actor,
        order.fiscal_year,
        split,
        order.budget_override_reason,
        subject=order.request,
    )
    capacity.reserve(supervisor.id, year, order.sessions, process_place=order.process_place)
    # guest organisations' officials hold no city quota (requests/quota.py outside_quota)
    guests = outside_quota(c.user_id for c in order.clients)
    for client in sorted(order.clients, key=lambda c: c.user_id):
        if client.held > order.sessions and client.user_id not in guests:
            change_quota(
                account_for(client.user_id, year), QuotaOp.RELEASE, client.held - order.sessions
            )
    process = SupervisionProcess(
        request=order.request,
        group_offer_id=order.group_offer_id,
        supervisor_id=supervisor.id,
        school_year_id=year.id,
        kind=order.kind,
        sessions_granted=order.sessions,
        price_cents=price,
        vat_percent=vat,
        accepted_by_id=actor.id if actor is not None else None,
        rule=order.rule,
        grounds=order.grounds,
        override_reason=order.override_reason,
        matching_run_id=order.run_id,
        cost_key=str(order.cost_key),
        cost_shares={str(org): points for org, points in shares.items()} or None,
        members=[ProcessMember(user_id=c.user_id, request_id=c.request_id) for c in order.clients],
    )
    db.session.add(process)
    db.session.flush()
    for member in process.members:
        # a client with no request of their own came with the process's (an on-duty booking)
        if member.request_id is None:
            member.request_id = process.request_id
    for sup_request in order.accepting:
        request_services.change_status(
            actor, sup_request, RequestStatus.ACCEPTED, order.accept_reason
        )
    audit.record(
        actor,
        "process.accepted",
        process,
        request_id=process.request_id,
        group_offer_id=order.group_offer_id,
        supervisor_id=supervisor.id,
        rule=order.rule,
        sessions=order.sessions,
        price_cents=price,
        override=bool(order.override_reason),
        budget_override=bool(order.budget_override_reason.strip()),
        cost_key=str(order.cost_key),
        cost_shares={str(org): points for org, points in shares.items()},
    )
    if order.announce:
        notify(
            supervisor.user_id,
            NotificationKind.PROCESS_ASSIGNED,
            process,
            process_kind=str(order.kind),
            sessions=order.sessions,
            # which clients: the supervisor's own page names them too (never in an e-mail)
            reference=process.reference,
            clients=", ".join(sorted(m.user.name for m in process.members)),
        )
        notify_process_accepted(process)
    return Opened(process, warnings)


def _order_split(order: ProcessOrder, total: int) -> tuple[dict[int, int], dict[int, int]]:
    """The order's checked shares and its whole price split per division for the guard.

    By attendance (today's rule) the clients' divisions share it; by another key the
    organisations first (budget/costkey.py), so each organisation's budget is guarded.
    """
    divisions = [c.division_id for c in order.clients if c.division_id is not None]
    if order.cost_key == CostKey.ATTENDANCE:
        return {}, split_cents(total, division_weights(divisions))
    if order.kind != RequestKind.GROUP:
        raise DomainError(N_("Only a group shares its cost by a key."), field="cost_key")
    orgs = organisation_ids(c.user_id for c in order.clients)
    people = [
        (org_key(orgs.get(c.user_id)), c.division_id)
        for c in order.clients
        if c.division_id is not None
    ]
    shares = check_key(order.cost_key, order.cost_shares, {org for org, _ in people})
    return shares, split_session(total, order.cost_key, shares, people, people)


# --- Who may act ---------------------------------------------------------------------


def is_supervisor_of(user: User, process: SupervisionProcess) -> bool:
    """The process's supervisor, while they hold the supervisor role.

    The role, not only the user id, grants access: a former supervisor whose role was
    taken away no longer reads the confidential goals and answers, nor plans sessions.
    A deactivated profile keeps its running processes (supervisors/services.py
    ``set_supervisor_active``), so the profile's ``active`` flag does not count here.
    """
    return process.supervisor.user_id == user.id and user.has_role(Role.SUPERVISOR)


def is_client_of(user: User, process: SupervisionProcess) -> bool:
    return user.id in process.client_ids


def can_see_goals(user: User, process: SupervisionProcess) -> bool:
    """The goals are for the supervisor and the clients only, never the administrator."""
    return is_supervisor_of(user, process) or is_client_of(user, process)


def can_plan(user: User, process: SupervisionProcess) -> bool:
    """The process's supervisor, or the administrator planning on their behalf."""
    return is_supervisor_of(user, process) or user.has_role(Role.ADMIN)


def can_close(user: User, process: SupervisionProcess) -> bool:
    """The supervisor; or the client of an individual process (a group is closed by its
    supervisor, so that one member cannot end it for the others)."""
    if is_supervisor_of(user, process):
        return True
    return process.kind != RequestKind.GROUP and is_client_of(user, process)


# --- Reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessCounts:
    granted: int
    planned: int
    used: int

    @property
    def unplanned(self) -> int:
        return rules.unused_sessions(self.granted, self.planned, self.used)


def counts(process: SupervisionProcess) -> ProcessCounts:
    """Granted, planned and used supervisor sessions (covision does not count)."""
    mine = [s for s in process.sessions if not s.is_covision]
    return ProcessCounts(
        process.sessions_granted,
        sum(s.status == SessionStatus.PLANNED for s in mine),
        sum(s.status in USING_STATUSES for s in mine),
    )


# --- Closing ---------------------------------------------------------------------------


def _client_shares(process: SupervisionProcess, user_id: int) -> int:
    """Sessions of the process reserved or used from this client's quota."""
    return sum(
        rules.member_share(s.status, s.is_covision, process.kind == RequestKind.GROUP, a.attended)
        != Share.NONE
        for s in process.sessions
        for a in s.attendance
        if a.user_id == user_id
    )


def close(actor: User, process: SupervisionProcess, now: datetime) -> None:
    """Close the process and give back what is left: each client's unplanned sessions
    and the supervisor's capacity (and process place)."""
    if process.status != ProcessStatus.ACTIVE:
        raise InvalidTransition(N_("This process is already closed."))
    c = counts(process)
    # An on-duty booking holds no pending quota (its session was booked at once) and
    # took no process place (capacity.reserve with process_place=False).
    on_duty = process.kind == RequestKind.ON_DUTY
    guests = outside_quota(m.user_id for m in process.members)
    for member in sorted(process.members, key=lambda m: m.user_id):
        if member.user_id in guests:
            continue
        left = 0 if on_duty else process.sessions_granted - _client_shares(process, member.user_id)
        if left > 0:
            change_quota(account_for(member.user_id, process.school_year), QuotaOp.RELEASE, left)
    capacity.release(process.supervisor_id, process.school_year, c.unplanned, not on_duty)
    process.status = ProcessStatus.CLOSED
    process.closed_at = now
    process.closed_by_id = actor.id
    audit.record(actor, "process.closed", process, unused=c.unplanned, used=c.used)
    db.session.flush()


def close_if_all_used(actor: User, process: SupervisionProcess, now: datetime) -> None:
    if process.status == ProcessStatus.ACTIVE and counts(process).used >= process.sessions_granted:
        close(actor, process, now)


def close_process(actor: User, process: SupervisionProcess, now: datetime) -> None:
    """End the process early; planned sessions must be cancelled or logged first."""
    if not can_close(actor, process):
        raise NotPermitted(N_("Only the supervisor or the client can close this process."))
    if process.status != ProcessStatus.ACTIVE:
        raise InvalidTransition(N_("This process is already closed."))
    rules.check_closable(counts(process).planned)
    close(actor, process, now)

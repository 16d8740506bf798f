"""The administrator's matching: run the engine, accept or override its proposal.

The engine (matching/solver.py) is pure; this module loads its inputs, keeps the
proposal with its grounds, and turns accepted assignments into processes while
holding supervisor capacity and staff quota race-free.
"""

from datetime import date

from flask import current_app
from sqlalchemy import select

from lahti_pool.accounts.models import User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError
from lahti_pool.extensions import db
from lahti_pool.matching import solver
from lahti_pool.matching.claims import claim_assignment, refuse_if_accepted
from lahti_pool.matching.eligibility import Policy, Reason, RequestIn, static_reason
from lahti_pool.matching.inputs import WAITING, load_inputs, previous_supervisors, request_in
from lahti_pool.matching.inputs import supervisor_in as to_supervisor_in
from lahti_pool.matching.labels import REASON_LABELS
from lahti_pool.matching.models import (
    AssignmentStatus,
    MatchingRun,
    ProposedAssignment,
    RunStatus,
)
from lahti_pool.requests import rules
from lahti_pool.requests import services as request_services
from lahti_pool.requests.models import RequestKind, SchoolYear, SupervisionRequest
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.requests.team_orders import team_order_ground
from lahti_pool.sessions import processes
from lahti_pool.sessions.models import SupervisionProcess
from lahti_pool.sessions.processes import Opened, ProcessClient, ProcessOrder
from lahti_pool.supervisors import capacity
from lahti_pool.supervisors.models import Supervisor


class StaleProposal(DomainError):
    """Capacity, quota or the request changed since the proposal was computed."""


def _grounds(passed_over, sup_rows) -> list[dict]:
    return [
        {
            "supervisor_id": sid,
            "name": sup_rows[sid].name if sid in sup_rows else "",
            "rank": sup_rows[sid].rank if sid in sup_rows else None,
            "reason": str(reason),
        }
        for sid, reason in passed_over
    ]


def run_matching(actor: User, year: SchoolYear, policy: Policy, today: date) -> MatchingRun:
    """Compute a proposal for every waiting request of the year and keep it for review."""
    for old in db.session.scalars(
        select(MatchingRun).where(MatchingRun.status == RunStatus.PROPOSED)
    ):
        close_run(old)
    requests, req_rows, sups, sup_rows, caps = load_inputs(year, today)
    proposal = solver.propose(requests, sups, policy)
    run = MatchingRun(
        created_by_id=actor.id,
        school_year_id=year.id,
        policy=policy,
        stats={
            "served": proposal.stats.served,
            "total": proposal.stats.total,
            "status": proposal.stats.status,
            "gap": proposal.stats.mip_gap,
            "seconds": round(proposal.stats.seconds, 3),
            "stages": [
                {
                    "name": r.name,
                    "proven": r.proven,
                    "value": r.value,
                    "bound": r.bound,
                    "gap": None if r.gap == float("inf") else r.gap,
                }
                for r in proposal.stats.stages
            ],
        },
        snapshot={
            "supervisors": {
                str(sid): [c.sessions_granted, c.active_processes] for sid, c in caps.items()
            },
            "requests": {
                str(r.id): [r.sessions_requested, len(r.participating_members)]
                for r in req_rows.values()
            },
        },
    )
    db.session.add(run)
    for a in proposal.assignments:
        run.assignments.append(
            ProposedAssignment(
                request_id=a.request_id,
                supervisor_id=a.supervisor_id,
                status=AssignmentStatus.PROPOSED,
                rule=str(a.rule),
                grounds=_grounds(a.passed_over, sup_rows),
                cost_cents=a.cost_cents,
            )
        )
        _move(actor, req_rows[a.request_id], RequestStatus.MATCHED, "matching proposal")
    for u in proposal.unmatched:
        run.assignments.append(
            ProposedAssignment(
                request_id=u.request_id,
                supervisor_id=None,
                status=AssignmentStatus.UNMATCHED,
                grounds=[{"reason": str(r), "count": n} for r, n in sorted(u.reasons.items())],
            )
        )
        _move(actor, req_rows[u.request_id], RequestStatus.WAITLISTED, "no supervisor free")
    _propose_groups(run, proposal, requests, sups, sup_rows)
    figures = {k: v for k, v in run.stats.items() if k != "stages"}
    audit.record(actor, "matching.run", run, policy=str(policy), **figures)
    db.session.flush()
    return run


def _move(actor, sup_request, status, reason) -> None:
    if sup_request.status != status:
        request_services.change_status(actor, sup_request, status, reason, notify_people=False)


def _propose_groups(run, proposal, requests, sups, sup_rows) -> None:
    """The Lahti fallback: offer groups to individual requests nobody could take."""
    unmatched = {u.request_id for u in proposal.unmatched}
    used: dict[int, int] = {}
    for a in proposal.assignments:
        used[a.supervisor_id] = used.get(a.supervisor_id, 0) + 1
    candidates = [r for r in requests if r.id in unmatched and r.kind == "individual"]
    if not candidates:
        return
    config = current_app.config
    groups = solver.propose_groups(
        candidates,
        sups,
        proposal,
        min_size=config["GROUP_MIN_MEMBERS"],
        max_size=config["GROUP_MAX_MEMBERS"],
    )
    by_request = {a.request_id: a for a in run.assignments}
    for number, group in enumerate(groups, start=1):
        for request_id in group.request_ids:
            row = by_request[request_id]
            row.supervisor_id = group.supervisor_id
            row.group_no = number
            row.rule = "group_fallback"
            row.cost_cents = group.cost_cents


def close_run(run: MatchingRun) -> None:
    """Close a proposal; what was not acted on stays waiting for the next run."""
    run.status = RunStatus.CLOSED
    for a in run.assignments:
        if a.status == AssignmentStatus.PROPOSED:
            a.status = AssignmentStatus.SKIPPED


# --- Acceptance ---------------------------------------------------------------------


def check_fresh(assignment: ProposedAssignment, supervisor_id: int) -> None:
    """Refuse a proposal whose inputs changed since it was computed.

    The run's own acceptances are expected changes; anything else (another run, an
    administrator elsewhere, a withdrawn request, a declining member) makes it stale.
    """
    run = assignment.run
    sup_request = assignment.request
    if run.status != RunStatus.PROPOSED or assignment.status not in (
        AssignmentStatus.PROPOSED,
        AssignmentStatus.UNMATCHED,
    ):
        raise StaleProposal(N_("This proposal is no longer open; run matching again."))
    if sup_request.status not in WAITING:
        raise StaleProposal(
            N_("The request of %(name)s has changed since matching; run matching again."),
            name=sup_request.requester.name,
        )
    snap_request = run.snapshot["requests"].get(str(sup_request.id))
    if snap_request != [sup_request.sessions_requested, len(sup_request.participating_members)]:
        raise StaleProposal(
            N_("The request of %(name)s has changed since matching; run matching again."),
            name=sup_request.requester.name,
        )
    snap = run.snapshot["supervisors"].get(str(supervisor_id))
    if snap is None:
        return
    # What this run's own acceptances added to the supervisor is expected.
    own = db.session.scalars(
        select(SupervisionProcess).where(
            SupervisionProcess.matching_run_id == run.id,
            SupervisionProcess.supervisor_id == supervisor_id,
        )
    ).all()
    expected = [
        snap[0] + sum(p.sessions_granted for p in own),
        snap[1] + len(own),
    ]
    current = capacity.capacities(run.school_year, [supervisor_id])[supervisor_id]
    if [current.sessions_granted, current.active_processes] != expected:
        raise StaleProposal(
            N_(
                "The capacity of %(name)s has changed since matching; run matching again "
                "before accepting."
            ),
            name=db.session.get(Supervisor, supervisor_id).name,
        )


def passed_over_for(
    req: RequestIn, year: SchoolYear, chosen: Supervisor, today: date, otherwise: str
) -> list[dict]:
    """The better-ranked supervisors than ``chosen`` and why each was not chosen; one
    eligible with room is passed over for ``otherwise`` (an override, a group offer)."""
    caps = capacity.capacities(year)
    grounds = []
    better = db.session.scalars(
        select(Supervisor)
        .where(Supervisor.rank.is_not(None), Supervisor.rank < (chosen.rank or 10_000))
        .order_by(Supervisor.rank)
    )
    for sup in better:
        s_in = to_supervisor_in(sup, caps[sup.id], today)
        reason = static_reason(req, s_in)
        if reason is None:
            reason = (
                Reason.CAPACITY
                if s_in.free_sessions < req.sessions or s_in.free_processes < 1
                else otherwise
            )
        grounds.append(
            {"supervisor_id": sup.id, "name": sup.name, "rank": sup.rank, "reason": str(reason)}
        )
    return grounds


def accept_assignment(
    actor: User,
    assignment: ProposedAssignment,
    today: date,
    *,
    supervisor_id: int | None = None,
    reason: str = "",
    sessions: int | None = None,
    budget_override_reason: str = "",
    cost_key: str = "attendance",
    cost_shares: dict[int, int] | None = None,
) -> Opened:
    """Accept a proposed assignment, or override it with another eligible supervisor.

    A group across organisations shares its cost by ``cost_key`` (budget/costkey.py).

    Creates the process, freezes the prices, reserves the supervisor's capacity and
    grants sessions from the quota the request holds; refuses a stale proposal.
    """
    sup_request = assignment.request
    override = supervisor_id is not None and supervisor_id != assignment.supervisor_id
    chosen_id = supervisor_id if supervisor_id is not None else assignment.supervisor_id
    if chosen_id is None:
        raise DomainError(N_("Choose a supervisor for this request."), field="supervisor")
    if assignment.group_no is not None:
        raise DomainError(N_("A group offer is accepted by making the offer, not one by one."))
    refuse_if_accepted(assignment)  # a second tab: "already accepted" (matching/claims.py)
    check_fresh(assignment, chosen_id)
    chosen = db.session.get(Supervisor, chosen_id)
    if chosen is None:
        raise DomainError(N_("Choose a supervisor from the list."), field="supervisor")
    if override:
        if not reason.strip():
            raise DomainError(
                N_("Give the reason for choosing another supervisor."), field="reason"
            )
        s_in = to_supervisor_in(
            chosen, capacity.capacities(sup_request.school_year, [chosen.id])[chosen.id], today
        )
        req = request_in(sup_request, previous_supervisors({sup_request.requester_id}))
        why = static_reason(req, s_in)
        if why is not None:
            raise DomainError(
                N_("%(name)s cannot take this request: %(reason)s."),
                field="supervisor",
                name=chosen.name,
                reason=str(REASON_LABELS[why]),
            )
        grounds = passed_over_for(req, sup_request.school_year, chosen, today, "override")
    else:
        grounds = assignment.grounds
    claim_assignment(assignment)  # two tabs at once: one goes on (matching/claims.py)
    opened = create_process(
        actor,
        sup_request,
        chosen,
        sessions or sup_request.sessions_requested,
        rule="override" if override else assignment.rule,
        grounds=grounds,
        override_reason=reason.strip() if override else "",
        run_id=assignment.run_id,
        budget_override_reason=budget_override_reason,
        today=today,
        cost_key=cost_key,
        cost_shares=cost_shares or {},
    )
    assignment.status = AssignmentStatus.OVERRIDDEN if override else AssignmentStatus.ACCEPTED
    assignment.supervisor_id = chosen.id
    return opened


def create_process(
    actor,
    sup_request,
    chosen,
    granted,
    *,
    rule,
    grounds,
    override_reason="",
    run_id=None,
    budget_override_reason="",
    today: date | None = None,
    cost_key="attendance",
    cost_shares=None,
) -> Opened:
    """Order ``granted`` sessions of ``chosen`` for the request (processes.open_process).

    The budget guard sees the whole order (sessions granted × frozen price) in the
    fiscal year it is accepted in; at 100 % it needs the administrator's reason.
    """
    rules.check_grant(granted, sup_request.sessions_requested)
    held = sup_request.sessions_requested
    if sup_request.team_order:  # procurement: who placed the order for the team
        grounds = [team_order_ground(sup_request), *grounds]
    if sup_request.kind == RequestKind.GROUP:
        people = [m.user for m in sup_request.participating_members]
    else:
        people = [sup_request.requester]
    return processes.open_process(
        actor,
        ProcessOrder(
            kind=sup_request.kind,
            supervisor=chosen,
            school_year=sup_request.school_year,
            sessions=granted,
            clients=tuple(
                ProcessClient(u.id, sup_request.id, u.unit.division_id if u.unit else None, held)
                for u in people
            ),
            rule=rule,
            grounds=grounds,
            fiscal_year=(today or date.today()).year,
            request=sup_request,
            accepting=(sup_request,),
            run_id=run_id,
            override_reason=override_reason,
            budget_override_reason=budget_override_reason,
            cost_key=cost_key,
            cost_shares=cost_shares or {},
        ),
    )


def accept_all(actor: User, run: MatchingRun, today: date) -> int:
    """Accept every open assignment of the run; all or nothing."""
    count = 0
    for assignment in list(run.assignments):
        if assignment.status == AssignmentStatus.PROPOSED and assignment.group_no is None:
            accept_assignment(actor, assignment, today)
            count += 1
    if not count:
        raise DomainError(N_("There is nothing left to accept in this proposal."))
    return count


def requests_by_id(ids) -> dict[int, SupervisionRequest]:
    return {
        r.id: r
        for r in db.session.scalars(
            select(SupervisionRequest).where(SupervisionRequest.id.in_(list(ids)))
        )
    }

"""Turn database rows into the pure engine's inputs (matching/eligibility.py)."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lahti_pool.accounts.models import User
from lahti_pool.extensions import db
from lahti_pool.matching.eligibility import RequestIn, SupervisorIn
from lahti_pool.requests.models import (
    RequestKind,
    RequestMember,
    SchoolYear,
    SupervisionRequest,
)
from lahti_pool.requests.rules import RequestStatus
from lahti_pool.sessions.models import ProcessMember, SupervisionProcess
from lahti_pool.supervisors.capacity import capacities
from lahti_pool.supervisors.models import Supervisor

#: requests that are waiting for a supervisor
WAITING = (RequestStatus.SUBMITTED, RequestStatus.MATCHED, RequestStatus.WAITLISTED)


def waiting_condition(year_id) -> tuple:
    """The WHERE clause of the year's waiting individual and group requests (``year_id``:
    the school year's id, or a bound parameter for it)."""
    return (
        SupervisionRequest.status.in_(WAITING),
        SupervisionRequest.school_year_id == year_id,
        SupervisionRequest.kind.in_([RequestKind.INDIVIDUAL, RequestKind.GROUP]),
    )


def waiting_requests_query(year: SchoolYear):
    """Waiting individual and group requests of the year, oldest first (a query to page).

    The waiting ones are picked in a subquery (index on status and year) and sorted
    afterwards: asked for in one go with ORDER BY created_at, SQLite walks the creation
    index through years of history, not knowing that few requests are waiting.
    """
    waiting = select(SupervisionRequest.id).where(*waiting_condition(year.id))
    return (
        select(SupervisionRequest)
        .where(SupervisionRequest.id.in_(waiting))
        .options(
            selectinload(SupervisionRequest.requester).selectinload(User.unit),
            selectinload(SupervisionRequest.members).selectinload(RequestMember.user),
        )
        .order_by(SupervisionRequest.created_at, SupervisionRequest.id)
    )


def waiting_requests(year: SchoolYear) -> list[SupervisionRequest]:
    """Waiting individual and group requests of the year, oldest first."""
    return list(db.session.scalars(waiting_requests_query(year)))


def previous_supervisors(user_ids: set[int]) -> dict[int, int]:
    """Each person's most recent supervisor (for "continue with my previous supervisor")."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(ProcessMember.user_id, SupervisionProcess.supervisor_id)
        .join(SupervisionProcess)
        .where(ProcessMember.user_id.in_(user_ids))
        .order_by(SupervisionProcess.accepted_at)
    )
    return dict(rows.all())  # later rows win: the latest process


def request_in(sup_request: SupervisionRequest, previous: dict[int, int]) -> RequestIn:
    requester = sup_request.requester
    unit = requester.unit
    return RequestIn(
        id=sup_request.id,
        created_at=sup_request.created_at,
        sessions=sup_request.sessions_requested,
        kind="group" if sup_request.kind == RequestKind.GROUP else "individual",
        division_id=unit.division_id if unit else 0,
        unit_id=requester.unit_id or 0,
        other_unit_ids=frozenset(
            m.user.unit_id
            for m in sup_request.participating_members
            if m.user.unit_id and m.user.unit_id != requester.unit_id
        ),
        language=sup_request.language,
        modes=frozenset(sup_request.modes),
        start_date=sup_request.wanted_from,
        preferred_supervisor_id=sup_request.preferred_supervisor_id,
        previous_supervisor_id=previous.get(requester.id),
        continue_previous=sup_request.continue_previous,
        area=unit.area if unit else "",
    )


def supervisor_rows() -> list[Supervisor]:
    return list(
        db.session.scalars(
            select(Supervisor).options(
                selectinload(Supervisor.divisions),
                selectinload(Supervisor.conflicts),
                selectinload(Supervisor.agreement),
            )
        )
    )


def supervisor_in(sup: Supervisor, cap, day_fallback: date) -> SupervisorIn:
    agreement = sup.agreement
    starts = sup.contract_starts_on or (agreement.starts_on if agreement else date.min)
    ends = sup.contract_ends_on or (agreement.ends_on if agreement else date.max)
    return SupervisorIn(
        id=sup.id,
        # Internal supervisors have no rank; they come after every contracted one.
        rank=sup.rank if sup.rank is not None else 10_000 + sup.id,
        active=sup.active,
        contract_start=starts,
        contract_end=ends,
        divisions=frozenset(d.id for d in sup.divisions),
        languages=frozenset(sup.languages),
        modes=frozenset(sup.modes),
        kinds=frozenset(sup.kinds),
        unit_id=sup.user.unit_id,
        conflict_unit_ids=frozenset(u.id for u in sup.conflicts),
        free_sessions=cap.free_sessions,
        free_processes=cap.free_processes,
        price_individual_cents=sup.price_individual_cents,
        price_group_cents=sup.price_group_cents,
        capacity_sessions=sup.capacity_sessions,
        used_sessions=cap.sessions_granted,
    )


def load_inputs(year: SchoolYear, today: date):
    """(requests, request rows by id, supervisors, supervisor rows by id, capacities)."""
    rows = waiting_requests(year)
    people = {r.requester_id for r in rows}
    previous = previous_supervisors(people)
    sups = supervisor_rows()
    caps = capacities(year)
    return (
        [request_in(r, previous) for r in rows],
        {r.id: r for r in rows},
        [supervisor_in(s, caps[s.id], today) for s in sups],
        {s.id: s for s in sups},
        caps,
    )

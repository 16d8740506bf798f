"""The matching queue's lists as plain rows: a page costs one statement per list.

The solver reads whole requests (``inputs.py``); the queue only shows a few columns of
fifty of them, so it selects those columns, never ORM entities with their JSON fields.
The statements are built once per process with bound parameters (building one costs
about as much as running it).
"""

import functools
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import aliased

from lahti_pool.accounts.models import User
from lahti_pool.extensions import db
from lahti_pool.matching.inputs import waiting_condition
from lahti_pool.matching.models import (
    GroupOffer,
    GroupOfferMember,
    MatchingRun,
    OfferStatus,
    ProposedAssignment,
    RunStatus,
)
from lahti_pool.requests.models import (
    MemberStatus,
    RequestMember,
    SchoolYear,
    SupervisionRequest,
)
from lahti_pool.supervisors.models import Supervisor

_LIMIT = bindparam("limit", type_=Integer)
_OFFSET = bindparam("offset", type_=Integer)


class WaitingRow(NamedTuple):
    id: int
    created_at: datetime
    kind: str
    sessions_requested: int
    language: str
    status: str
    requester_name: str
    members: int  #: member rows of a group request, declined ones included
    participating: int  #: members who have not declined


@functools.cache
def _waiting_count():
    return (
        select(func.count())
        .select_from(SupervisionRequest)
        .where(*waiting_condition(bindparam("year_id")))
    )


def waiting_count(year: SchoolYear) -> int:
    return db.session.scalar(_waiting_count(), {"year_id": year.id})


@functools.cache
def _waiting_page():
    R = SupervisionRequest
    page = (
        select(R.id, func.count().over().label("total"))
        .where(R.id.in_(select(R.id).where(*waiting_condition(bindparam("year_id")))))
        .order_by(R.created_at, R.id)
        .limit(_LIMIT)
        .offset(_OFFSET)
        .subquery()
    )
    members = select(func.count()).where(RequestMember.request_id == R.id)
    participating = members.where(RequestMember.status != MemberStatus.DECLINED)
    return (
        select(
            R.id,
            R.created_at,
            R.kind,
            R.sessions_requested,
            R.language,
            R.status,
            User.name,
            members.scalar_subquery(),
            participating.scalar_subquery(),
            page.c.total,
        )
        .join(page, page.c.id == R.id)
        .join(User, R.requester_id == User.id)
        .order_by(R.created_at, R.id)
    )


def waiting_rows(year: SchoolYear, limit: int, offset: int) -> tuple[list[WaitingRow], int | None]:
    """A page of the waiting requests, oldest first (as ``inputs.waiting_requests``), and
    how many wait in all (None on a page past the end: ``waiting_count`` then).

    The page's ids are picked first, counting all waiting ones on the way; only those
    rows are joined to their requester and their members counted.
    """
    params = {"year_id": year.id, "limit": limit, "offset": offset}
    rows = db.session.execute(_waiting_page(), params).all()
    return [WaitingRow(*row[:-1]) for row in rows], rows[0][-1] if rows else None


class RunRow(NamedTuple):
    """The latest proposal, without its snapshot (the page shows none of it)."""

    id: int
    created_at: datetime
    policy: str
    stats: dict


@functools.cache
def _latest_run():
    return (
        select(MatchingRun.id, MatchingRun.created_at, MatchingRun.policy, MatchingRun.stats)
        .where(MatchingRun.status == RunStatus.PROPOSED)
        .order_by(MatchingRun.id.desc())
        .limit(1)
    )


def latest_run() -> RunRow | None:
    row = db.session.execute(_latest_run()).first()
    return None if row is None else RunRow(*row)


class AssignmentRow(NamedTuple):
    id: int
    status: str
    rule: str
    grounds: list
    cost_cents: int
    supervisor_id: int | None  #: None when nobody could take the request
    group_no: int | None
    supervisor_name: str | None
    requester_name: str
    kind: str
    sessions_requested: int


def _assignments(*extra):
    """The run's (``run_id``) assignments with their request, requester and supervisor."""
    requester = aliased(User)
    supervisor_user = aliased(User)
    A = ProposedAssignment
    return (
        select(
            A.id,
            A.status,
            A.rule,
            A.grounds,
            A.cost_cents,
            A.supervisor_id,
            A.group_no,
            supervisor_user.name,
            requester.name,
            SupervisionRequest.kind,
            SupervisionRequest.sessions_requested,
            *extra,
        )
        .join(SupervisionRequest, A.request_id == SupervisionRequest.id)
        .join(requester, SupervisionRequest.requester_id == requester.id)
        .outerjoin(Supervisor, A.supervisor_id == Supervisor.id)
        .outerjoin(supervisor_user, Supervisor.user_id == supervisor_user.id)
        .where(A.run_id == bindparam("run_id"))
    )


@functools.cache
def _assignment_count():
    A = ProposedAssignment
    return (
        select(func.count())
        .select_from(A)
        .where(A.run_id == bindparam("run_id"), A.group_no.is_(None))
    )


def assignment_count(run_id: int) -> int:
    """The run's individual assignments (not those proposed as groups)."""
    return db.session.scalar(_assignment_count(), {"run_id": run_id})


@functools.cache
def _assignment_page():
    A = ProposedAssignment
    page = (
        select(A.id, func.count().over().label("total"))
        .where(A.run_id == bindparam("run_id"), A.group_no.is_(None))
        .order_by(A.id)
        .limit(_LIMIT)
        .offset(_OFFSET)
        .subquery()
    )
    return _assignments(page.c.total).join(page, page.c.id == A.id).order_by(A.id)


def assignment_rows(run_id: int, limit: int, offset: int) -> tuple[list[AssignmentRow], int | None]:
    """A page of the run's individual assignments, in the order they were proposed, and
    how many there are (None on a page past the end: ``assignment_count`` then).

    The page's ids are picked (and all counted) from the assignments alone; only those
    rows are joined to their request, requester and supervisor.
    """
    params = {"run_id": run_id, "limit": limit, "offset": offset}
    rows = db.session.execute(_assignment_page(), params).all()
    return [AssignmentRow(*row[:-1]) for row in rows], rows[0][-1] if rows else None


@functools.cache
def _groups():
    A = ProposedAssignment
    return _assignments().where(A.group_no.is_not(None)).order_by(A.group_no, A.id)


def group_rows(run_id: int) -> list[AssignmentRow]:
    """The run's assignments proposed as groups (Lahti fallback), by group."""
    return [AssignmentRow(*row) for row in db.session.execute(_groups(), {"run_id": run_id})]


class OfferMemberRow(NamedTuple):
    name: str  #: the requester's
    response: str


class OfferRow(NamedTuple):
    id: int
    sessions: int
    supervisor_name: str
    members: list[OfferMemberRow]


@functools.cache
def _open_offers():
    requester = aliased(User)
    supervisor_user = aliased(User)
    return (
        select(
            GroupOffer.id,
            GroupOffer.sessions,
            supervisor_user.name,
            requester.name,
            GroupOfferMember.response,
        )
        .join(Supervisor, GroupOffer.supervisor_id == Supervisor.id)
        .join(supervisor_user, Supervisor.user_id == supervisor_user.id)
        .outerjoin(GroupOfferMember, GroupOfferMember.offer_id == GroupOffer.id)
        .outerjoin(SupervisionRequest, GroupOfferMember.request_id == SupervisionRequest.id)
        .outerjoin(requester, SupervisionRequest.requester_id == requester.id)
        .where(GroupOffer.status == OfferStatus.OPEN)
        .order_by(GroupOffer.id, GroupOfferMember.id)
    )


def open_offers() -> list[OfferRow]:
    """The open group offers with their members' answers, in one statement (a few offers
    of a few members each)."""
    offers: list[OfferRow] = []
    for offer_id, sessions, supervisor_name, name, response in db.session.execute(_open_offers()):
        if not offers or offers[-1].id != offer_id:
            offers.append(OfferRow(offer_id, sessions, supervisor_name, []))
        if response is not None:
            offers[-1].members.append(OfferMemberRow(name, response))
    return offers

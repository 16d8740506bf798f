"""What the session pages list, computed in the database: bounded lists, SQL counts.

The supervisor's workspace and the staff's sessions grow with every school year; these
queries keep each page to a fixed number of statements and rows (see STYLE.md).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from lahti_pool.accounts.models import User
from lahti_pool.extensions import db
from lahti_pool.requests.models import SchoolYear
from lahti_pool.sessions.models import (
    USING_STATUSES,
    ApprovalStatus,
    ProcessMember,
    SessionStatus,
    SupervisionProcess,
    SupervisionSession,
)
from lahti_pool.sessions.processes import ProcessCounts
from lahti_pool.supervisors.models import Supervisor

#: the most rows of a workspace short list (what to log, what is coming); the rest is counted
SHORT_LIST = 20


@dataclass(frozen=True)
class ShortList:
    """The first rows of a list and how many there are in all."""

    items: list  #: sessions, or rows of their columns
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _to_log(now: datetime):
    return or_(
        (SupervisionSession.status == SessionStatus.PLANNED)
        & (SupervisionSession.starts_at <= now),
        SupervisionSession.approval == ApprovalStatus.RETURNED,
    )


def _coming(now: datetime):
    return (SupervisionSession.status == SessionStatus.PLANNED) & (
        SupervisionSession.starts_at > now
    )


def workspace_sessions(
    user: User, now: datetime, limit: int = SHORT_LIST
) -> tuple[ShortList, ShortList]:
    """The workspace's two short lists as rows (id, process_id, starts_at,
    duration_minutes, is_covision, approval), soonest first, each with its total: the
    supervisor's past planned sessions and returned ones (what needs logging), and the
    planned sessions still to come. One statement: each list numbered and counted by
    window functions, so the supervisor's sessions are read twice, not four times."""
    order = (SupervisionSession.starts_at, SupervisionSession.id)

    def ranked(which: int, condition):
        return (
            select(
                literal(which).label("which"),
                SupervisionSession.id,
                SupervisionSession.process_id,
                SupervisionSession.starts_at,
                SupervisionSession.duration_minutes,
                SupervisionSession.is_covision,
                SupervisionSession.approval,
                func.row_number().over(order_by=order).label("n"),
                func.count().over().label("total"),
            )
            .join(SupervisionProcess, SupervisionSession.process_id == SupervisionProcess.id)
            .join(Supervisor, SupervisionProcess.supervisor_id == Supervisor.id)
            .where(Supervisor.user_id == user.id, condition)
        )

    both = union_all(ranked(0, _to_log(now)), ranked(1, _coming(now))).subquery()
    rows = db.session.execute(
        select(both).where(both.c.n <= limit).order_by(both.c.which, both.c.n)
    ).all()
    lists = [[row for row in rows if row.which == which] for which in (0, 1)]
    return tuple(ShortList(items, items[0].total if items else 0) for items in lists)


def supervisor_processes(user: User, school_year_id: int):
    """The supervisor's processes of one school year, active first, newest first (a select
    for pagination), as rows of id, kind, status, sessions_granted and accepted_at."""
    return (
        select(
            SupervisionProcess.id,
            SupervisionProcess.kind,
            SupervisionProcess.status,
            SupervisionProcess.sessions_granted,
            SupervisionProcess.accepted_at,
        )
        .join(Supervisor, SupervisionProcess.supervisor_id == Supervisor.id)
        .where(Supervisor.user_id == user.id, SupervisionProcess.school_year_id == school_year_id)
        .order_by(
            SupervisionProcess.status,
            SupervisionProcess.accepted_at.desc(),
            SupervisionProcess.id.desc(),
        )
    )


def session_counts(processes: list[SupervisionProcess]) -> dict[int, ProcessCounts]:
    """``counts`` of many processes (or rows with their id and sessions_granted) in one
    GROUP BY, without loading their sessions."""
    planned = SupervisionSession.status == SessionStatus.PLANNED
    using = SupervisionSession.status.in_(USING_STATUSES)
    rows = db.session.execute(
        select(
            SupervisionSession.process_id,
            func.coalesce(func.sum(case((planned, 1), else_=0)), 0),
            func.coalesce(func.sum(case((using, 1), else_=0)), 0),
        )
        .where(
            SupervisionSession.process_id.in_([p.id for p in processes]),
            SupervisionSession.is_covision.is_(False),
        )
        .group_by(SupervisionSession.process_id)
    )
    found = {process_id: (int(p), int(u)) for process_id, p, u in rows}
    return {p.id: ProcessCounts(p.sessions_granted, *found.get(p.id, (0, 0))) for p in processes}


def client_names(process_ids: set[int]) -> dict[int, str]:
    """Each process's clients' names, joined, in one query."""
    names: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(ProcessMember.process_id, User.name)
        .join(User, ProcessMember.user_id == User.id)
        .where(ProcessMember.process_id.in_(process_ids))
        .order_by(ProcessMember.process_id, ProcessMember.id)
    )
    for process_id, name in rows:
        names.setdefault(process_id, []).append(name)
    return {process_id: ", ".join(people) for process_id, people in names.items()}


def school_years() -> list[SchoolYear]:
    """Every school year, the latest first (a handful of rows)."""
    return list(db.session.scalars(select(SchoolYear).order_by(SchoolYear.starts_on.desc())))


def client_sessions(user: User, coming: bool, now: datetime):
    """Sessions of the processes the user is a client of: the coming planned ones soonest
    first, or the others (past, or cancelled) latest first (a select for pagination)."""
    when = SupervisionSession.starts_at
    is_coming = _coming(now)
    return (
        select(SupervisionSession)
        .join(ProcessMember, ProcessMember.process_id == SupervisionSession.process_id)
        .where(ProcessMember.user_id == user.id, is_coming if coming else ~is_coming)
        .options(
            joinedload(SupervisionSession.process)
            .joinedload(SupervisionProcess.supervisor)
            .joinedload(Supervisor.user)
            .lazyload(User.role_rows)  # only the name is shown
        )
        .order_by(
            when if coming else when.desc(),
            SupervisionSession.id if coming else SupervisionSession.id.desc(),
        )
    )

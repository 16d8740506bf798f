"""Race-free supervisor capacity: sessions per school year and processes at once.

Like the quota (requests/quota.py), every change is one conditional UPDATE that
compares with the supervisor's contracted capacity, so two administrators
accepting at once cannot book a supervisor beyond it.
"""

from dataclasses import dataclass

from sqlalchemy import and_, func, select, update

from lahti_pool.core.errors import N_, DomainError
from lahti_pool.core.models import upsert
from lahti_pool.extensions import db
from lahti_pool.requests.models import SchoolYear
from lahti_pool.supervisors.models import Supervisor, SupervisorLoad


class CapacityExceeded(DomainError):
    """The supervisor has no free capacity left for this."""


@dataclass(frozen=True)
class Capacity:
    supervisor_id: int
    capacity_sessions: int
    sessions_granted: int
    sessions_used: int
    capacity_processes: int
    active_processes: int

    @property
    def free_sessions(self) -> int:
        return max(self.capacity_sessions - self.sessions_granted, 0)

    @property
    def free_processes(self) -> int:
        return max(self.capacity_processes - self.active_processes, 0)

    @property
    def utilisation(self) -> float:
        """Share of contracted sessions granted, for display only (not money)."""
        return self.sessions_granted / self.capacity_sessions if self.capacity_sessions else 1.0


def ensure_load(supervisor_id: int, year: SchoolYear) -> None:
    db.session.execute(
        upsert(SupervisorLoad)
        .values(supervisor_id=supervisor_id, school_year_id=year.id, sessions_granted=0)
        .on_conflict_do_nothing(index_elements=["supervisor_id", "school_year_id"])
    )


def capacities(year: SchoolYear, supervisor_ids=None) -> dict[int, Capacity]:
    """Every (or the given) supervisor's capacity in the year, in one query."""
    query = select(
        Supervisor.id,
        Supervisor.capacity_sessions,
        func.coalesce(SupervisorLoad.sessions_granted, 0),
        func.coalesce(SupervisorLoad.sessions_used, 0),
        Supervisor.capacity_processes,
        Supervisor.active_processes,
    ).outerjoin(
        SupervisorLoad,
        and_(
            SupervisorLoad.supervisor_id == Supervisor.id,
            SupervisorLoad.school_year_id == year.id,
        ),
    )
    if supervisor_ids is not None:
        query = query.where(Supervisor.id.in_(list(supervisor_ids)))
    return {row[0]: Capacity(*row) for row in db.session.execute(query)}


def reserve(
    supervisor_id: int, year: SchoolYear, sessions: int, *, process_place: bool = True
) -> None:
    """Take ``sessions`` of the year's capacity and one process place, or refuse both.

    ``process_place=False`` for a booked on-duty slot: one session, no process place.
    """
    ensure_load(supervisor_id, year)
    capacity = (
        select(Supervisor.capacity_sessions)
        .where(Supervisor.id == SupervisorLoad.supervisor_id)
        .scalar_subquery()
    )
    sessions_ok = db.session.execute(
        update(SupervisorLoad)
        .where(
            SupervisorLoad.supervisor_id == supervisor_id,
            SupervisorLoad.school_year_id == year.id,
            SupervisorLoad.sessions_granted + sessions <= capacity,
        )
        .values(sessions_granted=SupervisorLoad.sessions_granted + sessions)
        .execution_options(synchronize_session=False)
    ).rowcount
    processes_ok = sessions_ok and (
        not process_place
        or db.session.execute(
            update(Supervisor)
            .where(
                Supervisor.id == supervisor_id,
                Supervisor.active_processes + 1 <= Supervisor.capacity_processes,
            )
            .values(active_processes=Supervisor.active_processes + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    )
    if not (sessions_ok and processes_ok):
        # The caller rolls the transaction back, so a half-done reservation never stays.
        raise CapacityExceeded(
            N_("%(name)s has no free capacity left for this; choose another supervisor."),
            field="supervisor",
            name=db.session.get(Supervisor, supervisor_id).name,
        )


def release(supervisor_id: int, year: SchoolYear, sessions: int, end_process: bool) -> None:
    """Give back unused sessions, and the process place when the process ends."""
    if sessions:
        db.session.execute(
            update(SupervisorLoad)
            .where(
                SupervisorLoad.supervisor_id == supervisor_id,
                SupervisorLoad.school_year_id == year.id,
                SupervisorLoad.sessions_granted >= sessions,
            )
            .values(sessions_granted=SupervisorLoad.sessions_granted - sessions)
            .execution_options(synchronize_session=False)
        )
    if end_process:
        db.session.execute(
            update(Supervisor)
            .where(Supervisor.id == supervisor_id, Supervisor.active_processes > 0)
            .values(active_processes=Supervisor.active_processes - 1)
            .execution_options(synchronize_session=False)
        )

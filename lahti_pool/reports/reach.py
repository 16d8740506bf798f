"""Reach: who of the staff used supervision in a school year, in SQL aggregates.

The population is today's active staff (the staff role, a unit); a person counts as
reached when they attended a held session with a supervisor (covision left out) in the
school year. The current year is counted up to the end of the last whole month, so its
figures change once a month, not with every session: a day-to-day difference would show
who had their first session yesterday (the feedback reports keep whole terms for the
same reason).

Each breakdown is one GROUP BY; the suppression (rules.py) runs over the grouped rows.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, or_, select

from lahti_pool.accounts.models import Role, User, UserRole
from lahti_pool.core import versions
from lahti_pool.extensions import db
from lahti_pool.organisation.job_groups import JobGroup
from lahti_pool.organisation.models import Division, Unit
from lahti_pool.reports.rules import Figures, suppress_linked
from lahti_pool.requests.models import SchoolYear
from lahti_pool.sessions.models import SessionAttendance, SessionStatus, SupervisionSession

TOTAL = ("total", None)


@dataclass(frozen=True)
class YearRef:
    id: int
    starts_on: date
    ends_on: date

    @property
    def label(self) -> str:
        return f"{self.starts_on.year}–{self.ends_on.year}"


@dataclass(frozen=True)
class ReachCell:
    key: tuple  #: ("total", None), ("group", JobGroup), ("division", id), ("unit", id)
    name: str  #: a unit's name; divisions and groups are named by the page
    staff: int
    users: int | None  #: None when hidden
    sessions: int | None

    @property
    def hidden(self) -> bool:
        return self.users is None

    @property
    def share(self) -> int | None:
        """Per cent of the staff who used supervision, rounded down."""
        return None if self.hidden else self.users * 100 // self.staff

    @property
    def per_person(self) -> Decimal | None:
        if self.hidden:
            return None
        return (Decimal(self.sessions) / self.staff).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Reach:
    year: YearRef
    until: date  #: the last day counted
    total: ReachCell
    groups: list[ReachCell]
    divisions: list[ReachCell]
    units: list[ReachCell]  #: by division, then name


def school_years(today: date) -> list[YearRef]:
    """The school years that have started, newest first."""
    return [
        YearRef(*row)
        for row in db.session.execute(
            select(SchoolYear.id, SchoolYear.starts_on, SchoolYear.ends_on)
            .where(SchoolYear.starts_on <= today)
            .order_by(SchoolYear.starts_on.desc())
        )
    ]


def counted_until(year: YearRef, today: date) -> date:
    """The last day of the year whose sessions count: the end of the last whole month."""
    return min(year.ends_on, today.replace(day=1) - timedelta(days=1))


def _staff():
    return (
        select(User.id, User.unit_id, User.job_group)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.STAFF, User.is_active_account.is_(True))
        .where(User.unit_id.is_not(None))
        .subquery()
    )


def _attended(first: date, last: date):
    """Held sessions attended per person in [first, last]."""
    return (
        select(SessionAttendance.user_id, func.count().label("n"))
        .join(SupervisionSession, SessionAttendance.session_id == SupervisionSession.id)
        .where(
            SupervisionSession.on_date.between(first, last),
            SupervisionSession.status == SessionStatus.HELD,
            SupervisionSession.is_covision.is_(False),
            or_(SessionAttendance.attended.is_(None), SessionAttendance.attended.is_(True)),
        )
        .group_by(SessionAttendance.user_id)
        .subquery()
    )


def _grouped(dimension, first: date, last: date) -> list[tuple]:
    """(key, staff, users, sessions) per value of ``dimension`` (a column of the staff
    subquery or of ``Unit``), in one GROUP BY."""
    staff, used = _staff(), _attended(first, last)
    column = dimension(staff)
    query = (
        select(
            column,
            func.count(staff.c.id),
            func.count(used.c.user_id),
            func.coalesce(func.sum(used.c.n), 0),
        )
        .select_from(staff)
        .outerjoin(used, used.c.user_id == staff.c.id)
        .join(Unit, Unit.id == staff.c.unit_id)
        .group_by(column)
    )
    return [tuple(row) for row in db.session.execute(query)]


@versions.cached_read(
    User,
    UserRole,
    Unit,
    SupervisionSession,
    SessionAttendance,
    key=lambda year, until, k: (year.id, until, k),
)
def reach(year: YearRef, until: date, k: int) -> Reach:
    """The year's reach by job group, division and unit, suppressed together."""
    first, last = year.starts_on, until
    units = {
        unit_id: (name, division_id)
        for unit_id, name, division_id in db.session.execute(
            select(Unit.id, Unit.name, Unit.division_id)
        )
    }
    rows = {
        "group": _grouped(lambda s: s.c.job_group, first, last),
        "division": _grouped(lambda s: Unit.division_id, first, last),
        "unit": _grouped(lambda s: s.c.unit_id, first, last),
    }
    figures = {
        (kind, key): Figures(staff, users, int(sessions))
        for kind, found in rows.items()
        for key, staff, users, sessions in found
    }
    figures[TOTAL] = Figures(
        sum(f.staff for (kind, _), f in figures.items() if kind == "division"),
        sum(f.users for (kind, _), f in figures.items() if kind == "division"),
        sum(f.sessions for (kind, _), f in figures.items() if kind == "division"),
    )
    equations = [
        (TOTAL, [key for key in figures if key[0] == "group"]),
        (TOTAL, [key for key in figures if key[0] == "division"]),
        (TOTAL, [key for key in figures if key[0] == "unit"]),
    ]
    for kind, division_id in [key for key in figures if key[0] == "division"]:
        equations.append(
            (
                (kind, division_id),
                [
                    ("unit", unit_id)
                    for unit_id, (_, d) in units.items()
                    if d == division_id and ("unit", unit_id) in figures
                ],
            )
        )
    equations = [(total, parts) for total, parts in equations if parts]
    hidden = suppress_linked(figures, equations, k, keep=frozenset({TOTAL}))

    def cell(key, name=""):
        f = figures[key]
        if key in hidden:
            return ReachCell(key, name, f.staff, None, None)
        return ReachCell(key, name, f.staff, f.users, f.sessions)

    order = {g: i for i, g in enumerate(JobGroup)}
    return Reach(
        year,
        until,
        cell(TOTAL),
        [
            cell(key)
            for key in sorted(figures, key=lambda k: order.get(k[1], 99))
            if key[0] == "group"
        ],
        [cell(key) for key in figures if key[0] == "division"],
        sorted(
            (cell(key, units[key[1]][0]) for key in figures if key[0] == "unit"),
            key=lambda c: (units[c.key[1]][1], c.name),
        ),
    )


@dataclass(frozen=True)
class YearTotal:
    year: YearRef
    until: date
    staff: int
    users: int | None  #: None when fewer than k people stand behind it
    sessions: int | None

    @property
    def share(self) -> int | None:
        return None if self.users is None or not self.staff else self.users * 100 // self.staff


@versions.cached_read(
    User,
    UserRole,
    SchoolYear,
    SupervisionSession,
    SessionAttendance,
    key=lambda years, today, k: (tuple(y.id for y in years), today, k),
)
def trend(years: list[YearRef], today: date, k: int) -> list[YearTotal]:
    """Today's staff, and who of them was reached in each school year (one GROUP BY over
    the years; each year's total stands alone, so only small totals are hidden)."""
    staff = _staff()
    per_person = (
        select(
            SchoolYear.id.label("year_id"),
            SessionAttendance.user_id,
            func.count().label("n"),
        )
        .join(SupervisionSession, SessionAttendance.session_id == SupervisionSession.id)
        .join(
            SchoolYear, SupervisionSession.on_date.between(SchoolYear.starts_on, SchoolYear.ends_on)
        )
        .where(
            SupervisionSession.status == SessionStatus.HELD,
            SupervisionSession.is_covision.is_(False),
            or_(SessionAttendance.attended.is_(None), SessionAttendance.attended.is_(True)),
            SupervisionSession.on_date <= today.replace(day=1) - timedelta(days=1),
        )
        .group_by(SchoolYear.id, SessionAttendance.user_id)
        .subquery()
    )
    reached = {
        year_id: (users, int(sessions))
        for year_id, users, sessions in db.session.execute(
            select(per_person.c.year_id, func.count(), func.sum(per_person.c.n))
            .join(staff, staff.c.id == per_person.c.user_id)
            .group_by(per_person.c.year_id)
        )
    }
    headcount = db.session.scalar(select(func.count()).select_from(staff)) or 0
    totals = []
    for year in years:
        users, sessions = reached.get(year.id, (0, 0))
        small = headcount < k or 0 < users < k
        totals.append(
            YearTotal(
                year,
                counted_until(year, today),
                headcount,
                None if small else users,
                None if small else sessions,
            )
        )
    return totals


def division_names(locale: str) -> dict[int, str]:
    return {d.id: d.name(locale) for d in db.session.scalars(select(Division))}

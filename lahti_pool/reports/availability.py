"""Availability: how long people wait for supervision, how they are served, and which
on-duty hours go unused. SQL aggregates; percentiles by nearest rank in the database
(window functions, on SQLite and PostgreSQL alike).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Date, Integer, case, cast, func, literal, select

from lahti_pool.core import versions
from lahti_pool.core.models import UTCDateTime
from lahti_pool.extensions import db
from lahti_pool.feedback.rules import suppress_column
from lahti_pool.requests.models import RequestEvent, RequestKind, SupervisionRequest
from lahti_pool.requests.rules import OPEN_STATUSES, RequestStatus
from lahti_pool.sessions.models import (
    ProcessMember,
    SessionStatus,
    SupervisionProcess,
    SupervisionSession,
)
from lahti_pool.sessions.rules import LOCAL_TZ
from lahti_pool.slots.models import OnDutySlot, SlotStatus
from lahti_pool.slots.queries import unused_clause

_NOT_MET = (SessionStatus.CANCELLED, SessionStatus.CANCELLED_BY_SUPERVISOR)


def _days(later, earlier):
    """Whole days between the calendar dates of two columns (UTC)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(later, Date) - cast(earlier, Date)
    return cast(func.julianday(func.date(later)) - func.julianday(func.date(earlier)), Integer)


@dataclass(frozen=True)
class Spread:
    """Days: how many stand behind the figures, their median and 90th percentile (None
    when fewer than k)."""

    n: int
    median: int | None
    p90: int | None


def _spread(days_query, group_column_name: str | None, k: int) -> dict:
    """Median and 90th percentile (nearest rank) of a ``days`` column, per group."""
    rows = days_query.subquery()
    part = [rows.c[group_column_name]] if group_column_name else []
    ranked = select(
        *part,
        rows.c.days,
        func.row_number().over(partition_by=part or None, order_by=rows.c.days).label("rn"),
        func.count().over(partition_by=part or None).label("n"),
    ).subquery()
    at = [
        func.max(case((ranked.c.rn == (ranked.c.n * p + 99) // 100, ranked.c.days)))
        for p in (50, 90)
    ]
    group = [ranked.c[group_column_name]] if group_column_name else []
    query = select(*group, func.max(ranked.c.n), *at).group_by(*group)
    spreads = {}
    for row in db.session.execute(query):
        key = row[0] if group_column_name else None
        n, median, p90 = row[-3:]
        if n is None:  # no rows: the ungrouped aggregate is one row of NULLs
            continue
        spreads[key] = Spread(n, *((median, p90) if n >= k else (None, None)))
    return spreads


def _first_sessions():
    return (
        select(ProcessMember.request_id, func.min(SupervisionSession.on_date).label("first_on"))
        .join(SupervisionSession, SupervisionSession.process_id == ProcessMember.process_id)
        .where(ProcessMember.request_id.is_not(None), SupervisionSession.status.not_in(_NOT_MET))
        .group_by(ProcessMember.request_id)
        .subquery()
    )


@dataclass(frozen=True)
class Availability:
    to_first_session: dict  #: request kind -> Spread
    routes: dict  #: route -> count (None when hidden), of individual requests
    routes_total: int | None
    waitlisted: Spread
    still_waiting: int | None


ROUTES = ("individual", "group_fallback", "waiting", "not_served")


@versions.cached_read(
    SupervisionRequest,
    RequestEvent,
    ProcessMember,
    SupervisionProcess,
    SupervisionSession,
    key=lambda year_id, today, k: (year_id, today, k),
)
def availability(year_id: int, today: date, k: int) -> Availability:
    """The school year's waiting and serving figures (requests made in it)."""
    first = _first_sessions()
    to_first = _spread(
        select(
            SupervisionRequest.kind.label("kind"),
            _days(first.c.first_on, SupervisionRequest.created_at).label("days"),
        )
        .join(first, first.c.request_id == SupervisionRequest.id)
        .where(SupervisionRequest.school_year_id == year_id),
        "kind",
        k,
    )
    route = case(
        (SupervisionProcess.group_offer_id.is_not(None), "group_fallback"),
        (SupervisionProcess.id.is_not(None), "individual"),
        (SupervisionRequest.status.in_(OPEN_STATUSES), "waiting"),
        else_="not_served",
    )
    counts = {
        name: n
        for name, n in db.session.execute(
            select(route, func.count(SupervisionRequest.id))
            .select_from(SupervisionRequest)
            .outerjoin(ProcessMember, ProcessMember.request_id == SupervisionRequest.id)
            .outerjoin(SupervisionProcess, SupervisionProcess.id == ProcessMember.process_id)
            .where(
                SupervisionRequest.school_year_id == year_id,
                SupervisionRequest.kind == RequestKind.INDIVIDUAL,
            )
            .group_by(route)
        )
    }
    hidden, hide_total = suppress_column(counts, k)
    routes = {name: (None if name in hidden else counts.get(name, 0)) for name in ROUTES}
    total = None if hide_total else sum(counts.values())
    # Waiting: from a request's first move onto the waiting list to its first move off it
    # (still waiting: until today).
    entered = func.min(
        case((RequestEvent.to_status == RequestStatus.WAITLISTED, RequestEvent.at))
    ).label("entered")
    left = func.min(
        case(
            (
                (RequestEvent.from_status == RequestStatus.WAITLISTED)
                & (RequestEvent.to_status != RequestStatus.WAITLISTED),
                RequestEvent.at,
            )
        )
    ).label("left")
    spells = (
        select(RequestEvent.request_id, entered, left)
        .join(SupervisionRequest, SupervisionRequest.id == RequestEvent.request_id)
        .where(SupervisionRequest.school_year_id == year_id)
        .group_by(RequestEvent.request_id)
        .subquery()
    )
    until = literal(datetime.combine(today, datetime.min.time(), tzinfo=LOCAL_TZ), UTCDateTime())
    waited = select(
        _days(func.coalesce(spells.c.left, until), spells.c.entered).label("days"),
        spells.c.left,
    ).where(spells.c.entered.is_not(None))
    waitlisted = _spread(waited, None, k).get(None, Spread(0, None, None))
    waited_rows = waited.subquery()
    waiting = db.session.scalar(
        select(func.count()).select_from(waited_rows).where(waited_rows.c.left.is_(None))
    )
    return Availability(
        to_first,
        routes,
        total,
        waitlisted,
        None if 0 < (waiting or 0) < k or waitlisted.median is None else waiting,
    )


@dataclass(frozen=True)
class UnusedSlots:
    first: date
    last: date
    grid: dict  #: (weekday 0 = Monday, local hour) -> unused slots
    weeks: list  #: (Monday, unused slots)
    hours: list  #: the local hours with any slot, in order
    weekdays: list  #: the weekdays with any slot, in order
    most: int


@versions.cached_read(
    OnDutySlot, SupervisionSession, key=lambda first, last, now: (first, last, now)
)
def unused_slots(first: date, last: date, now: datetime) -> UnusedSlots:
    """Unused on-duty slots of [first, last] by local weekday and hour, and by ISO week:
    one GROUP BY on the start time (a row per distinct start, however many supervisors),
    placed in local time here."""
    rows = db.session.execute(
        select(OnDutySlot.starts_at, func.count())
        .outerjoin(SupervisionSession, OnDutySlot.session_id == SupervisionSession.id)
        .where(
            OnDutySlot.status != SlotStatus.WITHDRAWN,
            OnDutySlot.on_date.between(first, last),
            unused_clause(now),
        )
        .group_by(OnDutySlot.starts_at)
    ).all()
    grid: dict = {}
    weeks: dict = {}
    for starts_at, n in rows:
        local = starts_at.astimezone(LOCAL_TZ)
        cell = (local.weekday(), local.hour)
        grid[cell] = grid.get(cell, 0) + n
        monday = local.date() - timedelta(days=local.weekday())
        weeks[monday] = weeks.get(monday, 0) + n
    hours = list(
        range(min((h for _, h in grid), default=8), max((h for _, h in grid), default=15) + 1)
    )
    weekdays = list(range(7 if any(d >= 5 for d, _ in grid) else 5))
    return UnusedSlots(
        first, last, grid, sorted(weeks.items()), hours, weekdays, max(grid.values(), default=0)
    )

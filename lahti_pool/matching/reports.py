"""Capacity and fairness figures, and the procurement audit export (SQL aggregates)."""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from lahti_pool.accounts.models import User
from lahti_pool.core import versions
from lahti_pool.core.exports import safe_cell
from lahti_pool.core.money import cents_to_euros
from lahti_pool.extensions import db
from lahti_pool.matching.labels import RULE_LABELS, reason_label
from lahti_pool.requests.models import RequestKind, SchoolYear
from lahti_pool.requests.team_orders import TEAM_ORDER
from lahti_pool.sessions.models import SupervisionProcess
from lahti_pool.supervisors.capacity import capacities
from lahti_pool.supervisors.models import Supervisor, SupervisorLoad


class SupervisorRef(NamedTuple):
    """A supervisor as the capacity view names them (plain data, so it can be cached)."""

    id: int
    rank: int | None
    name: str
    active: bool
    capacity_sessions: int


@versions.cached_read(
    Supervisor,
    SupervisorLoad,
    User,
    SupervisionProcess,
    key=lambda year, page=1, per_page=50: (year.id, page, per_page),
)
def capacity_report(year: SchoolYear, page: int = 1, per_page: int = 50) -> dict:
    """Per supervisor (a page of them, by rank): contracted, granted and used sessions,
    processes and order share; pool totals summed by the database.

    Plain data (the page's rows, the pool totals and the number of supervisors), so that
    it can be kept in the aggregate cache.
    """
    supervisors = [
        SupervisorRef(*row)
        for row in db.session.execute(
            select(
                Supervisor.id,
                Supervisor.rank,
                User.name,
                Supervisor.active,
                Supervisor.capacity_sessions,
            )
            .join(User, Supervisor.user_id == User.id)
            .order_by(Supervisor.rank.is_(None), Supervisor.rank, Supervisor.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    ]
    count = db.session.scalar(select(func.count()).select_from(Supervisor))
    ids = [s.id for s in supervisors]
    caps = capacities(year, ids)
    orders = dict(
        db.session.execute(
            select(SupervisionProcess.supervisor_id, func.count())
            .where(
                SupervisionProcess.school_year_id == year.id,
                SupervisionProcess.supervisor_id.in_(ids),
            )
            .group_by(SupervisionProcess.supervisor_id)
        ).all()
    )
    totals = _capacity_totals(year)
    rows = []
    for sup in supervisors:
        cap = caps[sup.id]
        percent = (
            round(100 * cap.sessions_granted / cap.capacity_sessions)
            if cap.capacity_sessions
            else 0
        )
        rows.append(
            {
                "supervisor": sup,
                "cap": cap,
                "orders": orders.get(sup.id, 0),
                "percent": percent,
                "bar": min(percent, 100),  #: the progress bar's value
                "order_share": round(100 * orders.get(sup.id, 0) / totals["orders"])
                if totals["orders"]
                else 0,
                "capacity_share": round(100 * sup.capacity_sessions / totals["capacity_sessions"])
                if totals["capacity_sessions"]
                else 0,
            }
        )
    return {"rows": rows, "totals": totals, "count": int(count or 0)}


def _capacity_totals(year: SchoolYear) -> dict[str, int]:
    """The pool's totals over every supervisor, in two aggregate queries."""
    capacity, processes, active, granted, used = db.session.execute(
        select(
            func.coalesce(func.sum(Supervisor.capacity_sessions), 0),
            func.coalesce(func.sum(Supervisor.capacity_processes), 0),
            func.coalesce(func.sum(Supervisor.active_processes), 0),
            func.coalesce(func.sum(SupervisorLoad.sessions_granted), 0),
            func.coalesce(func.sum(SupervisorLoad.sessions_used), 0),
        ).outerjoin(
            SupervisorLoad,
            and_(
                SupervisorLoad.supervisor_id == Supervisor.id,
                SupervisorLoad.school_year_id == year.id,
            ),
        )
    ).one()
    orders = db.session.scalar(
        select(func.count())
        .select_from(SupervisionProcess)
        .where(SupervisionProcess.school_year_id == year.id)
    )
    return {
        "capacity_sessions": int(capacity),
        "sessions_granted": int(granted),
        "sessions_used": int(used),
        "active_processes": int(active),
        "capacity_processes": int(processes),
        "orders": int(orders or 0),
    }


ORDER_COLUMNS = [
    "accepted_at_utc",
    "process_reference",
    "supervisor",
    "supplier",
    "business_id",
    "rank",
    "kind",
    "sessions",
    "price_per_session_eur_excl_vat",
    "vat_percent",
    "rule",
    "passed_over",
    "override_reason",
    "accepted_by",
]


def _grounds_text(grounds: list) -> str:
    return "; ".join(
        f"{reason_label(TEAM_ORDER)}: {g.get('name')}"
        if g.get("reason") == TEAM_ORDER
        else f"#{g.get('rank')} {g.get('name')}: {reason_label(g.get('reason', ''))}"
        + (f" ({g['choice_reason']})" if g.get("choice_reason") else "")
        for g in grounds
    )


#: the ``accepted_by`` of an on-duty booking: the client booked it, and orders name no clients
CLIENT_BOOKING = "on-duty booking by the client"


def _accepted_by(process: SupervisionProcess) -> str:
    if process.kind == RequestKind.ON_DUTY:
        return CLIENT_BOOKING
    return process.accepted_by.name if process.accepted_by else ""


def order_rows(start: date, end_exclusive: date) -> list[list]:
    """Every order placed in the period, with the rule and the grounds (no client names)."""
    lo = datetime.combine(start, time.min, tzinfo=UTC)
    hi = datetime.combine(end_exclusive, time.min, tzinfo=UTC)
    processes = db.session.scalars(
        select(SupervisionProcess)
        .where(SupervisionProcess.accepted_at >= lo, SupervisionProcess.accepted_at < hi)
        .order_by(SupervisionProcess.accepted_at, SupervisionProcess.id)
        .options(
            selectinload(SupervisionProcess.supervisor),
            selectinload(SupervisionProcess.school_year),
            selectinload(SupervisionProcess.accepted_by),
        )
    ).all()
    rows = []
    for p in processes:
        sup = p.supervisor
        rows.append(
            [
                p.accepted_at.strftime("%Y-%m-%d %H:%M"),
                p.reference,
                sup.name,
                sup.company_name,
                sup.business_id,
                sup.rank if sup.rank is not None else "",
                p.kind.value,
                p.sessions_granted,
                cents_to_euros(p.price_cents),
                Decimal(p.vat_percent),
                str(RULE_LABELS.get(p.rule, p.rule)),
                _grounds_text(p.grounds),
                p.override_reason,
                _accepted_by(p),
            ]
        )
    return [[safe_cell(v) for v in row] for row in rows]

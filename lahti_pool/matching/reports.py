"""Capacity and fairness figures, and the procurement audit export (SQL aggregates)."""

from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lahti_pool.core.exports import euros, safe_cell
from lahti_pool.extensions import db
from lahti_pool.matching.labels import RULE_LABELS, reason_label
from lahti_pool.requests.models import SchoolYear
from lahti_pool.sessions.models import SupervisionProcess
from lahti_pool.supervisors.capacity import capacities
from lahti_pool.supervisors.models import Supervisor


def capacity_report(year: SchoolYear) -> dict:
    """Per supervisor: contracted, granted and used sessions, processes, order share."""
    caps = capacities(year)
    orders = dict(
        db.session.execute(
            select(SupervisionProcess.supervisor_id, func.count())
            .where(SupervisionProcess.school_year_id == year.id)
            .group_by(SupervisionProcess.supervisor_id)
        ).all()
    )
    supervisors = db.session.scalars(
        select(Supervisor).order_by(Supervisor.rank.is_(None), Supervisor.rank, Supervisor.id)
    ).all()
    total_capacity = sum(s.capacity_sessions for s in supervisors) or 0
    total_orders = sum(orders.values())
    rows = []
    for sup in supervisors:
        cap = caps[sup.id]
        rows.append(
            {
                "supervisor": sup,
                "cap": cap,
                "orders": orders.get(sup.id, 0),
                "percent": round(100 * cap.sessions_granted / cap.capacity_sessions)
                if cap.capacity_sessions
                else 0,
                "order_share": round(100 * orders.get(sup.id, 0) / total_orders)
                if total_orders
                else 0,
                "capacity_share": round(100 * sup.capacity_sessions / total_capacity)
                if total_capacity
                else 0,
            }
        )
    totals = {
        "capacity_sessions": total_capacity,
        "sessions_granted": sum(c.sessions_granted for c in caps.values()),
        "sessions_used": sum(c.sessions_used for c in caps.values()),
        "active_processes": sum(c.active_processes for c in caps.values()),
        "capacity_processes": sum(c.capacity_processes for c in caps.values()),
        "orders": total_orders,
    }
    return {"rows": rows, "totals": totals}


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
        f"#{g.get('rank')} {g.get('name')}: {reason_label(g.get('reason', ''))}" for g in grounds
    )


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
                euros(p.price_cents),
                str(p.vat_percent),
                str(RULE_LABELS.get(p.rule, p.rule)),
                _grounds_text(p.grounds),
                p.override_reason,
                p.accepted_by.name if p.accepted_by else "",
            ]
        )
    return [[safe_cell(v) for v in row] for row in rows]

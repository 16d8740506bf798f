"""Monthly invoice statements of the supervisors: generate, send (freeze), pay, export.

What a statement bills is the difference between what each session should cost each
cost centre now (its split costs once approved and billable, else nothing) and what
sent statements already billed for it. A session's own month bills it; once that
month's statement is sent, a late approval or a correction lands on the next month
whose statement is not sent, as an adjustment line (budget/rules.statement_month_for).
A sent statement is never regenerated or changed.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lahti_pool.budget.models import InvoiceStatement, SessionCost, StatementLine, StatementStatus
from lahti_pool.budget.rules import dues, last_day, statement_month_for, vat_cents
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, InvalidTransition
from lahti_pool.core.exports import csv_text, safe_cell
from lahti_pool.core.money import cents_to_euros
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division
from lahti_pool.sessions.models import (
    USING_STATUSES,
    ApprovalStatus,
    SupervisionProcess,
    SupervisionSession,
)
from lahti_pool.supervisors.models import Supervisor

FROZEN = (StatementStatus.SENT, StatementStatus.PAID)
#: StatementLine.note of an adjustment: why the line is on a later statement
LATE, CORRECTION = "late", "correction"
STATUS_LABELS = {
    StatementStatus.DRAFT: _l("Draft"),
    StatementStatus.SENT: _l("Sent"),
    StatementStatus.PAID: _l("Paid"),
}
NOTE_LABELS = {
    LATE: _l("Approved after its month's statement was sent"),
    CORRECTION: _l("Correction to a session billed earlier"),
}


@dataclass(frozen=True)
class LineSpec:
    """A statement line before it is stored."""

    session_id: int
    session_date: date
    kind: str
    duration_minutes: int
    division_code: str
    reference: str
    net_cents: int
    vat_percent: Decimal
    is_adjustment: bool
    note: str

    def key(self) -> tuple:
        return (self.session_id, self.division_code, self.net_cents, self.is_adjustment)


def _sent_months(supervisor_id: int) -> set[tuple[int, int]]:
    rows = db.session.execute(
        select(InvoiceStatement.year, InvoiceStatement.month).where(
            InvoiceStatement.supervisor_id == supervisor_id, InvoiceStatement.status.in_(FROZEN)
        )
    ).all()
    return {(y, m) for y, m in rows}


def _is_billable_now(s: SupervisionSession) -> bool:
    return s.approval == ApprovalStatus.APPROVED and s.is_billable


def plan_lines(supervisor_id: int, year: int, month: int) -> list[LineSpec]:
    """The lines the supervisor's statement of the month should hold now."""
    sent = _sent_months(supervisor_id)
    last = last_day((year, month))
    sessions = db.session.scalars(
        select(SupervisionSession)
        .join(SupervisionProcess, SupervisionSession.process_id == SupervisionProcess.id)
        .where(
            SupervisionProcess.supervisor_id == supervisor_id,
            SupervisionSession.on_date <= last,
            or_(
                SupervisionSession.statement_id.is_not(None),
                and_(
                    SupervisionSession.approval == ApprovalStatus.APPROVED,
                    SupervisionSession.status.in_(list(USING_STATUSES)),
                    SupervisionSession.is_covision.is_(False),
                ),
            ),
        )
        .options(
            selectinload(SupervisionSession.process).selectinload(SupervisionProcess.school_year)
        )
        .order_by(SupervisionSession.on_date, SupervisionSession.id)
    ).all()
    sessions = [
        s
        for s in sessions
        if statement_month_for((s.on_date.year, s.on_date.month), sent) == (year, month)
    ]
    ids = [s.id for s in sessions]
    costs = _costs(ids)
    billed = _billed(ids)
    lines = []
    for s in sessions:
        expected = {}
        if _is_billable_now(s):
            expected = costs.get(s.id) or {"": s.price_cents}
        late = (s.on_date.year, s.on_date.month) != (year, month)
        for code, cents in sorted(dues(expected, billed.get(s.id, {})).items()):
            lines.append(
                LineSpec(
                    s.id,
                    s.on_date,
                    str(s.process.kind),
                    s.duration_minutes,
                    code,
                    s.process.reference,
                    cents,
                    Decimal(s.process.vat_percent),
                    late,
                    (CORRECTION if billed.get(s.id) else LATE) if late else "",
                )
            )
    return sorted(lines, key=lambda li: (li.is_adjustment, li.session_date, li.session_id))


def _costs(session_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(SessionCost.session_id, Division.code, SessionCost.amount_cents)
        .join(Division, SessionCost.division_id == Division.id)
        .where(SessionCost.session_id.in_(session_ids))
    ).all()
    for sid, code, cents in rows:
        out.setdefault(sid, {})[code] = cents
    return out


def _billed(session_ids: list[int]) -> dict[int, dict[str, int]]:
    """What sent statements billed per session and cost centre (SUM in SQL)."""
    out: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(
            StatementLine.session_id, StatementLine.division_code, func.sum(StatementLine.net_cents)
        )
        .join(InvoiceStatement, StatementLine.statement_id == InvoiceStatement.id)
        .where(StatementLine.session_id.in_(session_ids), InvoiceStatement.status.in_(FROZEN))
        .group_by(StatementLine.session_id, StatementLine.division_code)
    ).all()
    for sid, code, cents in rows:
        out.setdefault(sid, {})[code] = int(cents)
    return out


def _line(spec: LineSpec) -> StatementLine:
    return StatementLine(
        session_id=spec.session_id,
        session_date=spec.session_date,
        kind=spec.kind,
        duration_minutes=spec.duration_minutes,
        division_code=spec.division_code,
        reference=spec.reference,
        net_cents=spec.net_cents,
        vat_percent=spec.vat_percent,
        is_adjustment=spec.is_adjustment,
        note=spec.note,
    )


def line_vat(line: StatementLine) -> int:
    return vat_cents(line.net_cents, line.vat_percent)


def _set_totals(statement: InvoiceStatement) -> None:
    statement.net_cents = sum(li.net_cents for li in statement.lines)
    statement.vat_cents = sum(line_vat(li) for li in statement.lines)


SENT_CANNOT_CHANGE = N_(
    "The statement of %(month)s/%(year)s has been sent and cannot change; "
    "corrections go on the next month's statement."
)
#: what a second tab hears when the first has just generated the statement
ALREADY_GENERATED = N_(
    "The statement of %(month)s/%(year)s was generated a moment ago, in another tab or by "
    "another administrator; it is in the list of statements."
)


def generate_statement(
    actor, supervisor: Supervisor, year: int, month: int, now: datetime
) -> InvoiceStatement:
    """Create or refresh the draft statement of the supervisor's month."""
    statement = db.session.scalar(
        select(InvoiceStatement).where(
            InvoiceStatement.supervisor_id == supervisor.id,
            InvoiceStatement.year == year,
            InvoiceStatement.month == month,
        )
    )
    if statement is not None and statement.status != StatementStatus.DRAFT:
        raise InvalidTransition(SENT_CANNOT_CHANGE, month=month, year=year)
    if statement is None:
        statement = InvoiceStatement(supervisor_id=supervisor.id, year=year, month=month)
        db.session.add(statement)
        try:
            db.session.flush()
        except IntegrityError as error:  # another tab created it a moment ago
            raise DomainError(ALREADY_GENERATED, month=month, year=year) from error
    else:
        # Lock the draft before its lines are read and replaced: two tabs refreshing it at
        # once take turns, and the second replaces the lines the first wrote.
        locked = db.session.execute(
            update(InvoiceStatement)
            .where(
                InvoiceStatement.id == statement.id,
                InvoiceStatement.status == StatementStatus.DRAFT,
            )
            .values(generated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not locked:  # sent from another tab a moment ago
            raise InvalidTransition(SENT_CANNOT_CHANGE, month=month, year=year)
        db.session.expire(statement)
    statement.lines = [_line(spec) for spec in plan_lines(supervisor.id, year, month)]
    statement.generated_at = now
    _set_totals(statement)
    db.session.flush()
    audit.record(
        actor,
        "statement.generated",
        statement,
        lines=len(statement.lines),
        net_cents=statement.net_cents,
    )
    return statement


def send_statement(actor, statement: InvoiceStatement, now: datetime) -> None:
    """Freeze the statement: totals kept, its sessions marked billed on it."""
    if statement.status != StatementStatus.DRAFT:
        raise InvalidTransition(N_("This statement has already been sent."))
    if not statement.lines:
        raise DomainError(N_("There is nothing on this statement to send."))
    fresh = sorted(
        s.key() for s in plan_lines(statement.supervisor_id, statement.year, statement.month)
    )
    stored = sorted(
        (li.session_id, li.division_code, li.net_cents, li.is_adjustment) for li in statement.lines
    )
    if fresh != stored:
        raise DomainError(
            N_(
                "Sessions have been approved or changed since this statement was generated. "
                "Generate it again, check it and then send it."
            )
        )
    _set_totals(statement)
    statement.status = StatementStatus.SENT
    statement.sent_at = now
    for sup_session in db.session.scalars(
        select(SupervisionSession).where(
            SupervisionSession.id.in_({li.session_id for li in statement.lines})
        )
    ):
        sup_session.statement_id = statement.id
    db.session.flush()
    audit.record(
        actor,
        "statement.sent",
        statement,
        net_cents=statement.net_cents,
        vat_cents=statement.vat_cents,
    )


def mark_paid(actor, statement: InvoiceStatement, now: datetime) -> None:
    if statement.status != StatementStatus.SENT:
        raise InvalidTransition(N_("Only a sent statement can be marked paid."))
    statement.status = StatementStatus.PAID
    statement.paid_at = now
    db.session.flush()
    audit.record(actor, "statement.paid", statement)


# --- Exports ----------------------------------------------------------------------------

COLUMNS = (
    _l("Date"),
    _l("Kind"),
    _l("Duration (min)"),
    _l("Cost centre"),
    _l("Reference"),
    _l("Net (EUR)"),
    _l("VAT %"),
    _l("VAT (EUR)"),
    _l("Total (EUR)"),
    _l("Adjustment"),
    _l("Note"),
)


def export_rows(statement: InvoiceStatement, kind_label) -> list[list]:
    """The statement as table rows: a header, one row a line, and the totals row.

    Money as Decimal euros; no client names, the process reference instead.
    """
    rows = [[str(c) for c in COLUMNS]]
    for li in statement.lines:
        vat = line_vat(li)
        rows.append(
            [
                li.session_date,
                kind_label(li.kind),
                li.duration_minutes,
                li.division_code,
                li.reference,
                cents_to_euros(li.net_cents),
                Decimal(li.vat_percent),
                cents_to_euros(vat),
                cents_to_euros(li.net_cents + vat),
                str(_l("yes")) if li.is_adjustment else "",
                str(NOTE_LABELS.get(li.note, li.note)),
            ]
        )
    rows.append(
        [
            str(_l("Total")),
            "",
            "",
            "",
            "",
            cents_to_euros(statement.net_cents),
            "",
            cents_to_euros(statement.vat_cents),
            cents_to_euros(statement.gross_cents),
            "",
            "",
        ]
    )
    return [[safe_cell(v) for v in row] for row in rows]


def to_csv(rows: list[list], language: str) -> str:
    return csv_text(rows, language)  # semicolons and decimal commas for fi and sv


def to_xlsx(statement: InvoiceStatement, rows: list[list]) -> bytes:
    from openpyxl import Workbook  # loaded for an export only, not in every worker

    book = Workbook()
    sheet = book.active
    sheet.title = str(_l("Statement"))
    for row in rows:
        sheet.append(row)
    for column in ("F", "H", "I"):
        for cell in sheet[column][1:]:
            cell.number_format = "0.00"
    for cell in sheet["A"][1:-1]:
        cell.number_format = "yyyy-mm-dd"
    details = book.create_sheet(str(_l("Details")))
    sup = statement.supervisor
    for label, value in (
        (_l("Supplier"), sup.company_name),
        (_l("Business ID"), sup.business_id),
        (_l("Month"), f"{statement.year}-{statement.month:02d}"),
        (_l("Status"), str(STATUS_LABELS[statement.status])),
    ):
        details.append([str(label), safe_cell(value)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

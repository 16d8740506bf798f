"""A statement per organisation: what the month's approved sessions cost each employer.

A group across organisations shares each session's price by its cost key
(budget/costkey.py); the session's costs per division (``SessionCost``, the ledger's
rows) say what falls on whom, and a division belongs to the city or to one guest
organisation (``Division.organisation_id``). An organisation's statement of a month
lists the approved billable sessions of that month with a cost on its divisions: its
share of each, the VAT on it and the sums. Computed from the ledger's rows, so the
statements of all organisations add up to the sessions' prices to the cent.

Who reads it: the administrator every organisation's; a guest organisation's official
(``Role.GUEST`` in a unit of its division) only their own.
"""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lahti_pool.accounts.models import Role
from lahti_pool.budget.costkey import CITY, org_key
from lahti_pool.budget.ledger import SPENT
from lahti_pool.budget.models import SessionCost
from lahti_pool.budget.rules import last_day, vat_cents
from lahti_pool.core.exports import csv_text, safe_cell
from lahti_pool.core.money import cents_to_euros
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division
from lahti_pool.organisation.orgs import organisation_names
from lahti_pool.requests.models import SchoolYear
from lahti_pool.sessions.models import SupervisionProcess, SupervisionSession, process_reference


@dataclass(frozen=True)
class OrgLine:
    session_id: int
    on_date: date
    kind: str
    duration_minutes: int
    #: the process's pseudonymous reference; never a client's name
    reference: str
    #: the session's whole price, and the organisation's share of it (cents, net)
    price_cents: int
    share_cents: int
    vat_percent: Decimal

    @property
    def vat_cents(self) -> int:
        return vat_cents(self.share_cents, self.vat_percent)

    @property
    def gross_cents(self) -> int:
        return self.share_cents + self.vat_cents


@dataclass(frozen=True)
class OrgStatement:
    organisation: int  #: CITY (0) or the guest organisation's id
    name: str
    year: int
    month: int
    lines: list[OrgLine]

    @property
    def net_cents(self) -> int:
        return sum(li.share_cents for li in self.lines)

    @property
    def vat_cents(self) -> int:
        return sum(li.vat_cents for li in self.lines)

    @property
    def gross_cents(self) -> int:
        return self.net_cents + self.vat_cents


def organisation_of(user) -> int | None:
    """The organisation key whose statements a guest official reads, else None."""
    if not user.has_role(Role.GUEST) or user.unit is None:
        return None
    organisation_id = user.unit.division.organisation_id
    return None if organisation_id is None else org_key(organisation_id)


def may_read(user, organisation: int) -> bool:
    """The administrator reads every organisation's; a guest official only their own."""
    if user.has_role(Role.ADMIN):
        return True
    own = organisation_of(user)
    return own is not None and own != CITY and own == organisation


def organisation_statement(organisation: int, year: int, month: int) -> OrgStatement:
    """The organisation's statement of the month (``organisation``: CITY or an id)."""
    owned = (
        Division.organisation_id.is_(None)
        if organisation == CITY
        else Division.organisation_id == organisation
    )
    share = func.sum(SessionCost.amount_cents)
    rows = db.session.execute(
        select(
            SupervisionSession.id,
            SupervisionSession.on_date,
            SupervisionProcess.kind,
            SupervisionSession.duration_minutes,
            SupervisionProcess.id,
            SchoolYear.starts_on,
            SupervisionSession.price_cents,
            share,
            SupervisionProcess.vat_percent,
        )
        .select_from(SessionCost)
        .join(Division, SessionCost.division_id == Division.id)
        .join(SupervisionSession, SessionCost.session_id == SupervisionSession.id)
        .join(SupervisionProcess, SupervisionSession.process_id == SupervisionProcess.id)
        .join(SchoolYear, SupervisionProcess.school_year_id == SchoolYear.id)
        .where(
            owned,
            SPENT,
            SupervisionSession.on_date.between(date(year, month, 1), last_day((year, month))),
        )
        .group_by(
            SupervisionSession.id,
            SupervisionSession.on_date,
            SupervisionProcess.kind,
            SupervisionSession.duration_minutes,
            SupervisionProcess.id,
            SchoolYear.starts_on,
            SupervisionSession.price_cents,
            SupervisionProcess.vat_percent,
        )
        .order_by(SupervisionSession.on_date, SupervisionSession.id)
    ).all()
    lines = [
        OrgLine(
            sid,
            on_date,
            str(kind),
            minutes,
            process_reference(starts_on.year, process_id),
            price,
            int(cents),
            Decimal(vat),
        )
        for sid, on_date, kind, minutes, process_id, starts_on, price, cents, vat in rows
    ]
    name = organisation_names([None if organisation == CITY else organisation]).get(
        None if organisation == CITY else organisation, ""
    )
    return OrgStatement(organisation, name, year, month, lines)


# --- Exports ----------------------------------------------------------------------------

COLUMNS = (
    _l("Date"),
    _l("Kind"),
    _l("Duration (min)"),
    _l("Reference"),
    _l("Session price (EUR)"),
    _l("Share (EUR)"),
    _l("VAT %"),
    _l("VAT (EUR)"),
    _l("Total (EUR)"),
)


def export_rows(statement: OrgStatement, kind_label) -> list[list]:
    """The statement as table rows: a header, one row a session, and the totals row."""
    rows = [[str(c) for c in COLUMNS]]
    for li in statement.lines:
        rows.append(
            [
                li.on_date,
                kind_label(li.kind),
                li.duration_minutes,
                li.reference,
                cents_to_euros(li.price_cents),
                cents_to_euros(li.share_cents),
                li.vat_percent,
                cents_to_euros(li.vat_cents),
                cents_to_euros(li.gross_cents),
            ]
        )
    total = cents_to_euros
    rows.append(
        [str(_l("Total")), "", "", "", "", total(statement.net_cents), ""]
        + [total(statement.vat_cents), total(statement.gross_cents)]
    )
    return [[safe_cell(v) for v in row] for row in rows]


def to_csv(rows: list[list], language: str) -> str:
    return csv_text(rows, language)


def to_xlsx(statement: OrgStatement, rows: list[list]) -> bytes:
    from openpyxl import Workbook  # loaded for an export only, not in every worker

    book = Workbook()
    sheet = book.active
    sheet.title = str(_l("Statement"))
    for row in rows:
        sheet.append(row)
    for column in ("E", "F", "H", "I"):
        for cell in sheet[column][1:]:
            cell.number_format = "0.00"
    for cell in sheet["A"][1:-1]:
        cell.number_format = "yyyy-mm-dd"
    details = book.create_sheet(str(_l("Details")))
    for label, value in (
        (_l("Organisation"), statement.name),
        (_l("Month"), f"{statement.year}-{statement.month:02d}"),
    ):
        details.append([str(label), safe_cell(value)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

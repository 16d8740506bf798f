"""Budgets per fiscal year, and the supervisors' monthly invoice statements."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division
from lahti_pool.supervisors.models import Supervisor


class FundingSource(db.Model):
    """Where money comes from beside the city's own budget: ministry partnership money, a
    project grant (issue 19). Programmes name one; the budget page and the guard work per
    funding source as well as per division."""

    __tablename__ = "funding_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)


class Budget(db.Model):
    """The money for supervision in a fiscal year: the pool's, or one division's."""

    __tablename__ = "budgets"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "division_id"),
        CheckConstraint("amount_cents >= 0", name="amount_nonneg"),
        CheckConstraint("warn_percent > 0 AND warn_percent <= 100", name="warn_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the calendar year by default (DOMAIN.md glossary)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    #: None for the whole pool
    division_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"))
    #: 64-bit: a big city's pool budget passes 21.4 M€, a 32-bit integer's limit in cents
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    #: the warning threshold; 100 % always refuses without an override
    warn_percent: Mapped[int] = mapped_column(Integer, default=80)

    division: Mapped[Division | None] = relationship()


class BudgetUsage(db.Model):
    """The money a fiscal year's sessions use, per division, as last folded.

    With the ``BudgetUsageChange`` rows since, it is ``SUM(session_costs)`` by the state of
    the session, kept by the database itself: triggers (migration 0007) append a change in
    the same transaction as every write of a cost or of a session's status, approval or
    date, so the budget guard reads a few rows instead of summing a city's year of sessions
    while it holds the budget lock. ``lahti_pool/budget/ledger.py`` reads, folds and checks
    it. No foreign key: the rows are derived figures, emptied and rebuilt with their sources.
    """

    __tablename__ = "budget_usage"

    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    division_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: planned sessions
    committed_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    #: approved billable sessions
    spent_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    #: logged billable sessions waiting for approval (or returned)
    awaiting_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class BudgetUsageChange(db.Model):
    """A change to ``BudgetUsage`` not folded in yet (signed cents), appended by a trigger.

    Appending takes no lock that another transaction waits for; updating one row per
    division would (two writers crossing two divisions deadlock on PostgreSQL).
    """

    __tablename__ = "budget_usage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    division_id: Mapped[int] = mapped_column(Integer)
    committed_cents: Mapped[int] = mapped_column(BigInteger)
    spent_cents: Mapped[int] = mapped_column(BigInteger)
    awaiting_cents: Mapped[int] = mapped_column(BigInteger)


class StatementStatus(enum.StrEnum):
    DRAFT = "draft"  #: generated, may be regenerated
    SENT = "sent"  #: frozen; later corrections go to the next month as adjustments
    PAID = "paid"


class InvoiceStatement(db.Model):
    """A supervisor's billable sessions of one month, with totals and VAT."""

    __tablename__ = "invoice_statements"
    __table_args__ = (UniqueConstraint("supervisor_id", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("supervisors.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    status: Mapped[StatementStatus] = mapped_column(
        str_enum(StatementStatus), default=StatementStatus.DRAFT
    )
    #: totals in cents, kept when the statement is sent so it never changes afterwards
    net_cents: Mapped[int] = mapped_column(Integer, default=0)
    vat_cents: Mapped[int] = mapped_column(Integer, default=0)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    supervisor: Mapped[Supervisor] = relationship()
    lines: Mapped[list["StatementLine"]] = relationship(
        back_populates="statement", cascade="all, delete-orphan", order_by="StatementLine.id"
    )

    @property
    def gross_cents(self) -> int:
        return self.net_cents + self.vat_cents


class StatementLine(db.Model):
    """One billable session, or an adjustment for a correction after a statement was sent."""

    __tablename__ = "statement_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("invoice_statements.id", ondelete="CASCADE"), index=True
    )
    #: indexed: generating a statement looks up what each session was already billed
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision_sessions.id"), index=True
    )
    session_date: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=0)
    division_code: Mapped[str] = mapped_column(String(20), default="")
    #: the process's pseudonymous reference; never a client's name
    reference: Mapped[str] = mapped_column(String(30))
    #: negative for a credit
    net_cents: Mapped[int] = mapped_column(Integer)
    vat_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    #: an adjustment line corrects a session billed on an earlier, frozen statement
    is_adjustment: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(200), default="")

    statement: Mapped[InvoiceStatement] = relationship(back_populates="lines")


class SessionCost(db.Model):
    """A session's cost charged to one division (cost centre), in cents.

    A group session's price is split between the divisions of its attending members in
    proportion to attendance (the Harju cost sharing); planned sessions are split by the
    members expected.
    """

    __tablename__ = "session_costs"
    __table_args__ = (UniqueConstraint("session_id", "division_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_sessions.id", ondelete="CASCADE"), index=True
    )
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)

    session: Mapped["SupervisionSession"] = relationship(back_populates="costs")  # noqa: F821


class FundingBudget(db.Model):
    """A funding source's money for a fiscal year; its expenses are checked against it."""

    __tablename__ = "funding_budgets"
    __table_args__ = (
        UniqueConstraint("funding_source_id", "fiscal_year"),
        CheckConstraint("amount_cents >= 0", name="amount_nonneg"),
        CheckConstraint("warn_percent > 0 AND warn_percent <= 100", name="warn_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    funding_source_id: Mapped[int] = mapped_column(ForeignKey("funding_sources.id"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    warn_percent: Mapped[int] = mapped_column(Integer, default=80)


class FundedExpense(db.Model):
    """Money a funding source pays: a programme's venue, facilitators' fees, travel."""

    __tablename__ = "funded_expenses"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    funding_source_id: Mapped[int] = mapped_column(ForeignKey("funding_sources.id"), index=True)
    #: the year of ``on_date``: the guard checks that year's budget
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    on_date: Mapped[date] = mapped_column(Date)
    #: VAT excluded, as budgets are
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(300))
    #: what it was for, e.g. ("programme", 3); "" when nothing in the app
    subject_type: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    funding_source: Mapped[FundingSource] = relationship()

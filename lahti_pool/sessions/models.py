"""Supervision processes: accepted requests with a supervisor and frozen prices."""

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.accounts.models import User
from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db
from lahti_pool.requests.models import RequestKind, SchoolYear, SupervisionRequest
from lahti_pool.supervisors.models import Supervisor


class ProcessStatus(enum.StrEnum):
    ACTIVE = "active"  #: sessions are being planned and held
    CLOSED = "closed"  #: all sessions used, or closed early by the supervisor or client


class SupervisionProcess(db.Model):
    """An accepted request: one supervisor, sessions granted, prices frozen.

    Every process is an order under the framework agreement; it keeps the grounds
    on which it was placed (``rule``, ``grounds``, ``override_reason``).
    """

    __tablename__ = "supervision_processes"
    __table_args__ = (
        CheckConstraint("sessions_granted >= 1", name="granted_positive"),
        CheckConstraint("price_cents >= 0", name="price_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("supervision_requests.id"), unique=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("supervisors.id"), index=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id"), index=True)
    kind: Mapped[RequestKind] = mapped_column(str_enum(RequestKind))
    status: Mapped[ProcessStatus] = mapped_column(
        str_enum(ProcessStatus), default=ProcessStatus.ACTIVE, index=True
    )
    sessions_granted: Mapped[int] = mapped_column(Integer)
    #: price per session in cents without VAT, frozen at acceptance
    price_cents: Mapped[int] = mapped_column(Integer)
    #: VAT percent frozen at acceptance
    vat_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the allocation rule applied: ranking, balanced, client_choice, strict_ranking,
    #: continuity, preferred, override
    rule: Mapped[str] = mapped_column(String(30))
    #: why this supervisor: the better-ranked supervisors passed over and the reason
    #: for each, as [{"supervisor_id": 3, "name": "...", "rank": 1, "reason": "language"}]
    grounds: Mapped[list] = mapped_column(JSON, default=list)
    #: the administrator's reason when they chose another supervisor than proposed
    override_reason: Mapped[str] = mapped_column(String(500), default="")
    matching_run_id: Mapped[int | None] = mapped_column(ForeignKey("matching_runs.id"))

    request: Mapped[SupervisionRequest] = relationship()
    supervisor: Mapped[Supervisor] = relationship()
    school_year: Mapped[SchoolYear] = relationship()
    accepted_by: Mapped[User | None] = relationship()

    @property
    def reference(self) -> str:
        """A pseudonymous reference for invoices and exports (no client names)."""
        return f"P{self.school_year.starts_on.year % 100:02d}-{self.id:06d}"

"""Supervision processes: accepted requests with a supervisor and frozen prices."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.accounts.models import User
from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Venue
from lahti_pool.requests.models import RequestKind, SchoolYear, SupervisionRequest
from lahti_pool.supervisors.models import Supervisor


class ProcessStatus(enum.StrEnum):
    ACTIVE = "active"  #: sessions are being planned and held
    CLOSED = "closed"  #: all sessions used, or closed early by the supervisor or client


def process_reference(school_year_start: int, process_id: int) -> str:
    """A process's pseudonymous reference, "P26-000123": the year its school year starts
    and its id (invoices, exports and lists show it instead of client names)."""
    return f"P{school_year_start % 100:02d}-{process_id:06d}"


class SupervisionProcess(db.Model):
    """An accepted request: one supervisor, sessions granted, prices frozen.

    Every process is an order under the framework agreement; it keeps the grounds
    on which it was placed (``rule``, ``grounds``, ``override_reason``).
    """

    __tablename__ = "supervision_processes"
    __table_args__ = (
        # a supervisor's processes of one school year (the workspace)
        Index("ix_supervision_processes_supervisor_year", "supervisor_id", "school_year_id"),
        CheckConstraint("sessions_granted >= 1", name="granted_positive"),
        CheckConstraint("price_cents >= 0", name="price_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the request it came from; None for a group formed from a Lahti-fallback offer
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision_requests.id"), unique=True
    )
    group_offer_id: Mapped[int | None] = mapped_column(ForeignKey("group_offers.id"), unique=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("supervisors.id"))
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
    #: CONFIDENTIAL: the goals agreed at the first session; only the supervisor and the
    #: clients see them (never the administrator, an e-mail, a log line or an export)
    goals: Mapped[str] = mapped_column(Text, default="")
    #: the supervision practice: a mid-point review and a closing evaluation
    midpoint_reviewed_on: Mapped[date | None] = mapped_column(Date)
    closing_evaluated_on: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: how a group across organisations shares each session's price (budget/costkey.py):
    #: attendance (today's rule), equal per organisation or fixed shares
    cost_key: Mapped[str] = mapped_column(
        String(20), default="attendance", server_default="attendance"
    )
    #: the fixed shares in basis points per organisation, {"0": 5000, "7": 5000} (0: the
    #: city, else the guest organisation's id); empty for the other keys
    cost_shares: Mapped[dict | None] = mapped_column(JSON)

    request: Mapped[SupervisionRequest | None] = relationship()
    members: Mapped[list["ProcessMember"]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="ProcessMember.id"
    )
    supervisor: Mapped[Supervisor] = relationship()
    school_year: Mapped[SchoolYear] = relationship()
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    sessions: Mapped[list["SupervisionSession"]] = relationship(
        back_populates="process", order_by="SupervisionSession.starts_at"
    )

    @property
    def client_ids(self) -> set[int]:
        return {m.user_id for m in self.members}

    @property
    def reference(self) -> str:
        """A pseudonymous reference for invoices and exports (no client names)."""
        return process_reference(self.school_year.starts_on.year, self.id)


class ProcessMember(db.Model):
    """A client of the process: the requester, or each member of a group."""

    __tablename__ = "process_members"
    __table_args__ = (UniqueConstraint("process_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_processes.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: the member's own request (a fallback group gathers several)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_requests.id"))

    process: Mapped[SupervisionProcess] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class SessionStatus(enum.StrEnum):
    PLANNED = "planned"  #: reserves one session of each client's quota
    HELD = "held"  #: uses quota; billable
    NO_SHOW = "no_show"  #: the client did not come: uses quota; billable
    LATE_CANCELLED = "late_cancelled"  #: the client cancelled inside the window: as no-show
    CANCELLED = "cancelled"  #: the client cancelled in time: frees the quota; not billable
    CANCELLED_BY_SUPERVISOR = "cancelled_by_supervisor"  #: frees the quota; not billable


#: outcomes that use quota and that the city pays for (DOMAIN.md "Quota")
USING_STATUSES = frozenset(
    {SessionStatus.HELD, SessionStatus.NO_SHOW, SessionStatus.LATE_CANCELLED}
)


class ApprovalStatus(enum.StrEnum):
    NOT_LOGGED = "not_logged"  #: still planned
    PENDING = "pending"  #: logged by the supervisor, waiting for the administrator
    APPROVED = "approved"  #: counts as spent and goes on the invoice statement
    RETURNED = "returned"  #: sent back to the supervisor with a reason


class SupervisionSession(db.Model):
    """One meeting of a process, or a covision meeting of a group (no supervisor paid).

    Supervision content is never stored: only date, duration, kind, mode and status.
    """

    __tablename__ = "supervision_sessions"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 480", name="duration_range"),
        CheckConstraint("price_cents >= 0", name="price_nonneg"),
        UniqueConstraint("process_id", "starts_at"),
        # the approval list: pending sessions, oldest first, without scanning the year
        Index("ix_supervision_sessions_approval_on_date", "approval", "on_date"),
        # the workspace's lists (to log, coming): a supervisor's open sessions only, not
        # the thousands of five years (measured in benchmarks/README.md)
        Index(
            "ix_supervision_sessions_open",
            "process_id",
            "starts_at",
            sqlite_where=text("status = 'planned' OR approval = 'returned'"),
            postgresql_where=text("status = 'planned' OR approval = 'returned'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("supervision_processes.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: the local (Europe/Helsinki) date of ``starts_at``: the fiscal year and the
    #: statement month follow it
    on_date: Mapped[date] = mapped_column(Date, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(20))
    #: the meeting room or the video link (logistics only)
    place: Mapped[str] = mapped_column(String(300), default="")
    #: this session's video-meeting link (https); "" uses the supervisor's own
    video_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, 30), default=SessionStatus.PLANNED, index=True
    )
    #: peer covision led by the host: no supervisor paid, no capacity, no quota used
    is_covision: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the member who hosts a group session and arranges the venue (Harju practice)
    host_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: where a group session meets (its address and accessibility note go in invitations)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"), index=True)
    #: the process's frozen price at planning; 0 for covision
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    approval: Mapped[ApprovalStatus] = mapped_column(
        str_enum(ApprovalStatus), default=ApprovalStatus.NOT_LOGGED
    )
    logged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    return_reason: Mapped[str] = mapped_column(String(500), default="")
    #: the invoice statement it was billed on, once billed
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoice_statements.id"), index=True
    )
    #: the calendar invitation's sequence number (RFC 5545), raised on every change
    ical_sequence: Mapped[int] = mapped_column(Integer, default=0)

    process: Mapped[SupervisionProcess] = relationship(back_populates="sessions")
    host: Mapped[User | None] = relationship(foreign_keys=[host_user_id])
    venue: Mapped[Venue | None] = relationship()
    attendance: Mapped[list["SessionAttendance"]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )
    costs: Mapped[list["SessionCost"]] = relationship(  # noqa: F821 - budget.models
        back_populates="session", cascade="all, delete-orphan"
    )

    @property
    def is_billable(self) -> bool:
        return self.status in USING_STATUSES and not self.is_covision


class SessionAttendance(db.Model):
    """Who of a process's clients the session is for, and whether they came."""

    __tablename__ = "session_attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: None while planned; then True (attended) or False (absent)
    attended: Mapped[bool | None] = mapped_column(Boolean)

    session: Mapped[SupervisionSession] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship()

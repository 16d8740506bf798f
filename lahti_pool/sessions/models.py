"""Supervision processes: accepted requests with a supervisor and frozen prices."""

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, UniqueConstraint
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
    #: the request it came from; None for a group formed from a Lahti-fallback offer
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision_requests.id"), unique=True
    )
    group_offer_id: Mapped[int | None] = mapped_column(ForeignKey("group_offers.id"), unique=True)
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

    request: Mapped[SupervisionRequest | None] = relationship()
    members: Mapped[list["ProcessMember"]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="ProcessMember.id"
    )
    supervisor: Mapped[Supervisor] = relationship()
    school_year: Mapped[SchoolYear] = relationship()
    accepted_by: Mapped[User | None] = relationship()

    @property
    def client_ids(self) -> set[int]:
        return {m.user_id for m in self.members}

    @property
    def reference(self) -> str:
        """A pseudonymous reference for invoices and exports (no client names)."""
        return f"P{self.school_year.starts_on.year % 100:02d}-{self.id:06d}"


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


class OfferStatus(enum.StrEnum):
    OPEN = "open"  #: waiting for the staff members' answers
    FORMED = "formed"  #: enough accepted; a group process exists
    CANCELLED = "cancelled"  #: the administrator gave it up


class OfferResponse(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class GroupOffer(db.Model):
    """Group supervision offered to staff whose individual requests found no one.

    The Lahti fallback: when individual capacity is exhausted, unmatched requests
    from the same division are offered a group with a supervisor who has group
    capacity.
    """

    __tablename__ = "group_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("supervisors.id"))
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id"))
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"))
    language: Mapped[str] = mapped_column(String(5))
    #: sessions the group would have; each member uses one per session attended
    sessions: Mapped[int] = mapped_column(Integer)
    status: Mapped[OfferStatus] = mapped_column(str_enum(OfferStatus), default=OfferStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    matching_run_id: Mapped[int | None] = mapped_column(ForeignKey("matching_runs.id"))

    supervisor: Mapped[Supervisor] = relationship()
    school_year: Mapped[SchoolYear] = relationship()
    members: Mapped[list["GroupOfferMember"]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="GroupOfferMember.id"
    )


class GroupOfferMember(db.Model):
    __tablename__ = "group_offer_members"
    __table_args__ = (UniqueConstraint("offer_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("group_offers.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int] = mapped_column(ForeignKey("supervision_requests.id"), index=True)
    response: Mapped[OfferResponse] = mapped_column(
        str_enum(OfferResponse), default=OfferResponse.PENDING
    )
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    offer: Mapped[GroupOffer] = relationship(back_populates="members")
    request: Mapped[SupervisionRequest] = relationship()

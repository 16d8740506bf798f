"""Matching runs and the assignments they propose, awaiting the administrator."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.accounts.models import User
from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db
from lahti_pool.matching.eligibility import Policy
from lahti_pool.requests.models import SchoolYear, SupervisionRequest
from lahti_pool.supervisors.models import Supervisor


class RunStatus(enum.StrEnum):
    PROPOSED = "proposed"  #: waiting for the administrator
    CLOSED = "closed"  #: superseded by a newer run or fully handled


class AssignmentStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"  #: a process was created
    OVERRIDDEN = "overridden"  #: accepted with another supervisor
    UNMATCHED = "unmatched"  #: nobody could take it (reasons recorded)
    GROUP_OFFERED = "group_offered"  #: offered group supervision (Lahti fallback)
    SKIPPED = "skipped"  #: the run closed without acting on it


class MatchingRun(db.Model):
    __tablename__ = "matching_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id"))
    policy: Mapped[Policy] = mapped_column(str_enum(Policy))
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus), default=RunStatus.PROPOSED)
    #: solver figures: served, total, status, gap, seconds
    stats: Mapped[dict] = mapped_column(JSON, default=dict)
    #: counters the proposal was computed from, to refuse it once they change:
    #: {"supervisors": {id: [sessions_granted, active_processes]}, "requests": {id: status}}
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)

    created_by: Mapped[User | None] = relationship()
    school_year: Mapped[SchoolYear] = relationship()
    assignments: Mapped[list["ProposedAssignment"]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ProposedAssignment.id"
    )


class ProposedAssignment(db.Model):
    __tablename__ = "proposed_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("matching_runs.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int] = mapped_column(ForeignKey("supervision_requests.id"), index=True)
    #: None when nobody could take the request
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("supervisors.id"))
    status: Mapped[AssignmentStatus] = mapped_column(str_enum(AssignmentStatus))
    rule: Mapped[str] = mapped_column(String(30), default="")
    #: passed-over supervisors with reasons, or the reasons nobody could take it
    grounds: Mapped[list] = mapped_column(JSON, default=list)
    #: sessions x frozen price, without VAT
    cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    #: for Lahti-fallback group offers: the proposed group's number within the run
    group_no: Mapped[int | None] = mapped_column(Integer)

    run: Mapped[MatchingRun] = relationship(back_populates="assignments")
    request: Mapped[SupervisionRequest] = relationship()
    supervisor: Mapped[Supervisor | None] = relationship()


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

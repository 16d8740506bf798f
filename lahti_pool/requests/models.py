"""School years, quota accounts, supervision requests and their history."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.accounts.models import Role, User
from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db
from lahti_pool.requests.rules import OPEN_STATUSES, QuotaState, RequestStatus


class SchoolYear(db.Model):
    """The quota period: 1 August – 31 July by default."""

    __tablename__ = "school_years"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date, unique=True)
    ends_on: Mapped[date] = mapped_column(Date)
    #: sessions per person in this year
    quota: Mapped[int] = mapped_column(Integer, default=10)

    @property
    def label(self) -> str:
        return f"{self.starts_on.year}–{self.ends_on.year}"

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class QuotaAccount(db.Model):
    """One person's session counters for one school year (see requests/rules.py).

    Only changed by conditional UPDATEs in requests/quota.py; the check
    constraints are the last line of defence.
    """

    __tablename__ = "quota_accounts"
    __table_args__ = (
        UniqueConstraint("user_id", "school_year_id"),
        CheckConstraint("pending >= 0 AND reserved >= 0 AND used >= 0", name="counters_nonneg"),
        CheckConstraint("pending + reserved + used <= quota", name="within_quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id"), index=True)
    quota: Mapped[int] = mapped_column(Integer)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[int] = mapped_column(Integer, default=0)

    def state(self) -> QuotaState:
        return QuotaState(self.quota, self.pending, self.reserved, self.used)


class RequestKind(enum.StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"
    ON_DUTY = "on_duty"  #: a single on-duty session (Vantaa)


class Mode(enum.StrEnum):
    ON_SITE = "on_site"
    VIDEO = "video"
    PHONE = "phone"


class MemberStatus(enum.StrEnum):
    ORGANISER = "organiser"  #: named the group; holds quota like every member
    INVITED = "invited"  #: named by the organiser; takes part unless they decline
    DECLINED = "declined"  #: said no; their quota is released


class SupervisionRequest(db.Model):
    """A staff member's (or a group organiser's) wish for supervision."""

    __tablename__ = "supervision_requests"
    __table_args__ = (
        CheckConstraint("sessions_requested >= 1", name="sessions_positive"),
        # the matching queue: the few waiting requests of the year among years of history
        Index("ix_supervision_requests_status_year", "status", "school_year_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RequestKind] = mapped_column(str_enum(RequestKind))
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus), default=RequestStatus.SUBMITTED
    )
    #: the staff member, or the organiser of a group
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id"), index=True)
    #: sessions asked for, per member
    sessions_requested: Mapped[int] = mapped_column(Integer)
    #: accepted modes, a list of Mode values
    modes: Mapped[list] = mapped_column(JSON, default=list)
    #: preferred language code ("fi", "sv", "en", ...)
    language: Mapped[str] = mapped_column(String(5), default="fi")
    preferred_supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("supervisors.id"))
    continue_previous: Mapped[bool] = mapped_column(Boolean, default=False)
    #: free text about days and times that suit (scheduling only, not content)
    times_that_suit: Mapped[str] = mapped_column(String(500), default="")
    #: the earliest date the requester wants to start
    wanted_from: Mapped[date] = mapped_column(Date)
    #: a name the organiser gives a group, e.g. "Kivimaa special needs team"
    group_name: Mapped[str] = mapped_column(String(200), default="")
    #: a group a unit manager ordered for members of their unit: the requester is the
    #: manager, not a member, and holds no sessions (requests/team_orders.py)
    team_order: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: the phone number an on-duty booker in phone mode gives: as confidential as the
    #: answers (only the requester and the session's supervisor see it; purged with them)
    contact_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    school_year: Mapped[SchoolYear] = relationship()
    preferred_supervisor = relationship("Supervisor")
    members: Mapped[list["RequestMember"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestMember.id"
    )
    events: Mapped[list["RequestEvent"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestEvent.id"
    )
    #: the process it became, once accepted
    process = relationship("SupervisionProcess", uselist=False, viewonly=True)
    #: Lahti-fallback group offers made to this request
    offer_rows = relationship("GroupOfferMember", viewonly=True)
    answers: Mapped[list["PreQuestionAnswer"]] = relationship(
        back_populates="request",
        cascade="all, delete-orphan",
        order_by="PreQuestionAnswer.position",
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def participating_members(self) -> list["RequestMember"]:
        return [m for m in self.members if m.status != MemberStatus.DECLINED]

    def member_row(self, user: User) -> "RequestMember | None":
        return next((m for m in self.members if m.user_id == user.id), None)

    def is_assigned_supervisor(self, user: User) -> bool:
        """The supervisor of the request's process, while they hold the supervisor role
        (a former supervisor no longer reads the answers; see sessions.services)."""
        process = self.process
        return (
            process is not None
            and process.supervisor.user_id == user.id
            and user.has_role(Role.SUPERVISOR)
        )

    def can_view(self, user: User) -> bool:
        """The requester, the group's members, the assigned supervisor and the administrator."""
        return (
            user.id == self.requester_id
            or self.member_row(user) is not None
            or self.is_assigned_supervisor(user)
            or user.has_role(Role.ADMIN)
        )

    def can_view_answers(self, user: User) -> bool:
        """Pre-question answers: only their author and the assigned supervisor.

        Never the administrator (DOMAIN.md, "Requests and processes").
        """
        return user.id == self.requester_id or self.is_assigned_supervisor(user)

    @property
    def open_offer_row(self):
        """The Lahti-fallback group offer this request is waiting on, if any."""
        return next((r for r in self.offer_rows if r.offer.status == "open"), None)

    def can_withdraw(self, user: User) -> bool:
        """Only the requester, and only while the request is still open."""
        return user.id == self.requester_id and self.is_open

    def can_decline_membership(self, user: User) -> bool:
        """A named group member (not the organiser) may decline while the request is open."""
        row = self.member_row(user)
        return row is not None and row.status == MemberStatus.INVITED and self.is_open


class RequestMember(db.Model):
    """A person in a group request, the organiser included."""

    __tablename__ = "request_members"
    __table_args__ = (UniqueConstraint("request_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_requests.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[MemberStatus] = mapped_column(str_enum(MemberStatus))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request: Mapped[SupervisionRequest] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class RequestEvent(db.Model):
    """One change of a request's state: who, when, why."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_requests.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[RequestStatus | None] = mapped_column(str_enum(RequestStatus))
    to_status: Mapped[RequestStatus] = mapped_column(str_enum(RequestStatus))
    #: why, in the actor's words (never pre-question content)
    reason: Mapped[str] = mapped_column(String(500), default="")

    request: Mapped[SupervisionRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class PreQuestion(db.Model):
    """The three questions asked before supervision; texts set by the administrator."""

    __tablename__ = "pre_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, unique=True)
    text_fi: Mapped[str] = mapped_column(String(500))
    text_en: Mapped[str] = mapped_column(String(500))

    def text(self, locale: str) -> str:
        return self.text_en if locale == "en" else self.text_fi


class PreQuestionAnswer(db.Model):
    """CONFIDENTIAL: seen only by its author and the assigned supervisor.

    Never shown to the administrator, put in an e-mail, a log line or an export.
    """

    __tablename__ = "pre_question_answers"
    __table_args__ = (UniqueConstraint("request_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_requests.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    #: the question as the author saw it
    question: Mapped[str] = mapped_column(String(500))
    answer: Mapped[str] = mapped_column(Text)

    request: Mapped[SupervisionRequest] = relationship(back_populates="answers")

    def __repr__(self) -> str:  # never the content, even in a traceback or log
        return f"<PreQuestionAnswer {self.id} of request {self.request_id}>"

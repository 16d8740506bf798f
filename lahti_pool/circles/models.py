"""Covision circles (a group going on without a supervisor) and the themes groups pass
upward to management.

A circle keeps who belongs, when it meets, who hosts, the topic's short title and who
came: nothing of what was said (DOMAIN.md, "covision circle"). A theme keeps its agreed
text, the kind of group and the month it was passed: nothing else of the meetings.
"""

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.accounts.models import User
from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Venue


class MemberState(enum.StrEnum):
    INVITED = "invited"  #: asked to go on in the circle; not a member until they join
    JOINED = "joined"  #: a member: hosts in the rotation, invited to the meetings
    LEFT = "left"  #: left the circle (or declined the invitation)


class CovisionCircle(db.Model):
    """A peer group meeting without a supervisor, started from a closed group process."""

    __tablename__ = "covision_circles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: the closed group process the circle goes on from (one circle each)
    process_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision_processes.id"), unique=True
    )
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list["CircleMember"]] = relationship(
        back_populates="circle", cascade="all, delete-orphan", order_by="CircleMember.id"
    )
    meetings: Mapped[list["CircleMeeting"]] = relationship(
        back_populates="circle", cascade="all, delete-orphan", order_by="CircleMeeting.starts_at"
    )

    @property
    def joined(self) -> list["CircleMember"]:
        return [m for m in self.members if m.state == MemberState.JOINED]

    @property
    def member_ids(self) -> set[int]:
        return {m.user_id for m in self.joined}

    def row_of(self, user: User) -> "CircleMember | None":
        return next((m for m in self.members if m.user_id == user.id), None)

    def is_member(self, user: User) -> bool:
        return user.id in self.member_ids

    def can_view(self, user: User) -> bool:
        """Its members and the people invited to join; nobody else (not the administrator:
        who meets in a peer circle is the members' own business)."""
        row = self.row_of(user)
        return row is not None and row.state != MemberState.LEFT


class CircleMember(db.Model):
    __tablename__ = "circle_members"
    __table_args__ = (UniqueConstraint("circle_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(
        ForeignKey("covision_circles.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[MemberState] = mapped_column(str_enum(MemberState), default=MemberState.INVITED)

    circle: Mapped[CovisionCircle] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class MeetingState(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"  #: the host kept the attendance
    CANCELLED = "cancelled"


class CircleMeeting(db.Model):
    """One covision meeting: when, where, who hosts, the topic's title. No notes."""

    __tablename__ = "circle_meetings"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 480", name="duration_range"),
        UniqueConstraint("circle_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(
        ForeignKey("covision_circles.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    #: the member who hosts: proposes the topic, leads, keeps the attendance
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    #: a video meeting's https link, when it meets online
    video_url: Mapped[str] = mapped_column(String(500), default="")
    #: the topic's short title, proposed by the host; never a case or notes
    topic: Mapped[str] = mapped_column(String(120), default="")
    state: Mapped[MeetingState] = mapped_column(
        str_enum(MeetingState), default=MeetingState.PLANNED
    )
    #: the calendar invitation's sequence number (RFC 5545), raised on every change
    ical_sequence: Mapped[int] = mapped_column(Integer, default=0)

    circle: Mapped[CovisionCircle] = relationship(back_populates="meetings")
    host: Mapped[User] = relationship()
    venue: Mapped[Venue | None] = relationship()
    attendance: Mapped[list["CircleAttendance"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="CircleAttendance.id"
    )


class CircleAttendance(db.Model):
    __tablename__ = "circle_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("circle_meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    attended: Mapped[bool] = mapped_column(Boolean)

    meeting: Mapped[CircleMeeting] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship()


class GroupKind(enum.StrEnum):
    SUPERVISION_GROUP = "supervision_group"  #: the members of a group supervision process
    COVISION_CIRCLE = "covision_circle"


class ThemeState(enum.StrEnum):
    DRAFT = "draft"  #: waiting for every member's confirmation
    DECLINED = "declined"  #: a member declined: it goes nowhere
    PASSED = "passed"  #: every member confirmed: the development services see it


class UpwardTheme(db.Model):
    """An anonymised theme a group agreed to raise with management (the seed's example:
    kindergarten opening hours). Management sees the text, the month and the kind of
    group only."""

    __tablename__ = "upward_themes"
    __table_args__ = (
        CheckConstraint("(process_id IS NULL) <> (circle_id IS NULL)", name="one_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_kind: Mapped[GroupKind] = mapped_column(str_enum(GroupKind, 30))
    #: whose theme it is (the members who confirm): a group process or a circle
    process_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision_processes.id"), index=True
    )
    circle_id: Mapped[int | None] = mapped_column(
        ForeignKey("covision_circles.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(1000))
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[ThemeState] = mapped_column(str_enum(ThemeState), default=ThemeState.DRAFT)
    #: the first day of the month it was passed (management sees the month only)
    passed_month: Mapped[date | None] = mapped_column(Date, index=True)

    confirmations: Mapped[list["ThemeConfirmation"]] = relationship(
        back_populates="theme", cascade="all, delete-orphan", order_by="ThemeConfirmation.id"
    )

    @property
    def confirmed_ids(self) -> set[int]:
        return {c.user_id for c in self.confirmations}


class ThemeConfirmation(db.Model):
    """A member agreed to the theme's current text (editing the text removes them all)."""

    __tablename__ = "theme_confirmations"
    __table_args__ = (UniqueConstraint("theme_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("upward_themes.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    theme: Mapped[UpwardTheme] = relationship(back_populates="confirmations")

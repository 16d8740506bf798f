"""On-duty slots (the Vantaa model): one-hour slots a supervisor publishes for booking."""

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.accounts.models import User
from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db
from lahti_pool.supervisors.models import Supervisor


class SlotStatus(enum.StrEnum):
    OPEN = "open"  #: free to book (unless offered to somebody on the waiting list)
    BOOKED = "booked"  #: one person has it; a session exists
    WITHDRAWN = "withdrawn"  #: the supervisor took it back before anybody booked


class PublishedPattern(db.Model):
    """A weekly pattern as published, so that its slots can be withdrawn in one action."""

    __tablename__ = "slot_patterns"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("supervisors.id"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    #: ISO weekdays as "0,2,4" (0 = Monday)
    weekdays: Mapped[str] = mapped_column(String(20))
    #: local start times as "09:00,13:00"
    times: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supervisor: Mapped[Supervisor] = relationship()


class OnDutySlot(db.Model):
    __tablename__ = "on_duty_slots"
    __table_args__ = (
        UniqueConstraint("supervisor_id", "starts_at"),
        # slots held for one person from the waiting list: few rows, so a partial index
        Index(
            "ix_on_duty_slots_offered_to_id",
            "offered_to_id",
            sqlite_where=text("offered_to_id IS NOT NULL"),
            postgresql_where=text("offered_to_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("supervisors.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: local (Europe/Helsinki) date, for browsing by day
    on_date: Mapped[date] = mapped_column(Date, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    #: "video" or "phone"
    mode: Mapped[str] = mapped_column(String(20))
    status: Mapped[SlotStatus] = mapped_column(
        str_enum(SlotStatus), default=SlotStatus.OPEN, index=True
    )
    #: who booked it; set only by a conditional UPDATE (one slot, one person)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the session created by the booking
    session_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_sessions.id"))
    #: a freed slot offered to the first person on the waiting list until the time below
    offered_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: indexed: every slot browser view first ends the lapsed offers
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the weekly pattern that published it last, if any
    pattern_id: Mapped[int | None] = mapped_column(ForeignKey("slot_patterns.id"), index=True)

    supervisor: Mapped[Supervisor] = relationship()
    booked_by: Mapped[User | None] = relationship(foreign_keys=[booked_by_id])


class WatchStatus(enum.StrEnum):
    WAITING = "waiting"
    FULFILLED = "fulfilled"  #: they booked a slot
    CANCELLED = "cancelled"


class SlotWatch(db.Model):
    """Somebody waiting for a slot on a day, or with a supervisor, to free up."""

    __tablename__ = "slot_watches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    on_date: Mapped[date | None] = mapped_column(Date)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("supervisors.id"))
    status: Mapped[WatchStatus] = mapped_column(
        str_enum(WatchStatus), default=WatchStatus.WAITING, index=True
    )

    user: Mapped[User] = relationship()


class SupervisorAbsence(db.Model):
    """Days a supervisor is away; weekly slot patterns skip them."""

    __tablename__ = "supervisor_absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("supervisors.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    supervisor: Mapped[Supervisor] = relationship()

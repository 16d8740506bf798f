"""Development programmes: a cohort of participants, modules of one or more days at
venues, attendance per day, certificates of completion (issue 19)."""

import enum
from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db


class Programme(db.Model):
    """A development programme, e.g. the social-sector leaders' cohort (five two-day
    modules from October to May, paid from ministry partnership money)."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: who it is for, in the organisers' words ("the city's and guest organisations'
    #: social-sector leaders")
    audience: Mapped[str] = mapped_column(String(500), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: where the money comes from (budget.models.FundingSource); None: the city's own
    funding_source_id: Mapped[int | None] = mapped_column(ForeignKey("funding_sources.id"))
    #: the most participants accepted into the cohort
    capacity: Mapped[int] = mapped_column(Integer)
    #: the completion rule: at least this many modules attended (a module counts when
    #: every one of its days was attended)
    modules_required: Mapped[int] = mapped_column(Integer, default=1)
    #: who issues the certificate, as printed on it
    issuer: Mapped[str] = mapped_column(String(200), default="")
    #: staff may apply themselves (otherwise only nominations)
    open_for_applications: Mapped[bool] = mapped_column(Boolean, default=True)
    #: after the programme the cohort goes on as a group with a named responsible person
    continues_as_group: Mapped[bool] = mapped_column(Boolean, default=False)
    group_responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    funding_source = relationship("FundingSource")
    group_responsible = relationship("User", foreign_keys=[group_responsible_id])
    organisers: Mapped[list["ProgrammeOrganiser"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan"
    )
    members: Mapped[list["ProgrammeMember"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammeMember.id"
    )
    modules: Mapped[list["ProgrammeModule"]] = relationship(
        back_populates="programme",
        cascade="all, delete-orphan",
        order_by="ProgrammeModule.number",
    )

    def is_organiser(self, user) -> bool:
        return any(o.user_id == user.id for o in self.organisers)


class ProgrammeOrganiser(db.Model):
    """A per-programme role the administrator grants: organisers manage their programme."""

    __tablename__ = "programme_organisers"
    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    programme: Mapped[Programme] = relationship(back_populates="organisers")
    user = relationship("User")


class MemberStatus(enum.StrEnum):
    APPLIED = "applied"  #: the person applied; the organiser decides
    NOMINATED = "nominated"  #: a manager or organiser nominated them; the organiser decides
    ACCEPTED = "accepted"  #: in the cohort (at most the capacity)
    WAITING = "waiting"  #: on the waiting list: the cohort was full
    REFUSED = "refused"  #: not taken, with the organiser's message


#: the statuses still waiting for the organiser's decision
PENDING_STATUSES = (MemberStatus.APPLIED, MemberStatus.NOMINATED, MemberStatus.WAITING)


class ProgrammeMember(db.Model):
    """A person's place in a programme's cohort, from application or nomination on."""

    __tablename__ = "programme_members"
    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[MemberStatus] = mapped_column(str_enum(MemberStatus))
    #: the manager or organiser who nominated the person; None when they applied
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the organiser's message with a refusal, shown to the person
    message: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the certificate's verification code (unguessable), once issued
    certificate_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    certificate_issued_on: Mapped[date | None] = mapped_column(Date)

    programme: Mapped[Programme] = relationship(back_populates="members")
    user = relationship("User", foreign_keys=[user_id])
    nominated_by = relationship("User", foreign_keys=[nominated_by_id])


module_facilitators = db.Table(
    "programme_module_facilitators",
    db.Column(
        "module_id", ForeignKey("programme_modules.id", ondelete="CASCADE"), primary_key=True
    ),
    db.Column("supervisor_id", ForeignKey("supervisors.id"), primary_key=True),
)


class ProgrammeModule(db.Model):
    """One module: a theme at a venue, over one or more days."""

    __tablename__ = "programme_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    theme: Mapped[str] = mapped_column(String(300))
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    #: facilitators from outside the pool, by name ("Marika Saar, Triin Kaaver")
    outside_facilitators: Mapped[str] = mapped_column(String(500), default="")

    programme: Mapped[Programme] = relationship(back_populates="modules")
    venue = relationship("Venue")
    #: facilitators from the pool's supervisors
    facilitators = relationship("Supervisor", secondary=module_facilitators)
    days: Mapped[list["ModuleDay"]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="ModuleDay.on_date"
    )


class ModuleDay(db.Model):
    """A day of a module, with its programme of the day and its hours."""

    __tablename__ = "programme_module_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("programme_modules.id", ondelete="CASCADE"), index=True
    )
    on_date: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    #: hours of training that day, in quarter hours' precision as minutes
    minutes: Mapped[int] = mapped_column(Integer)
    #: the programme of the day
    agenda: Mapped[str] = mapped_column(Text, default="")
    #: a day for the wider network: guests who are not participants are invited
    wider_network: Mapped[bool] = mapped_column(Boolean, default=False)
    #: attendance recorded by an organiser (None: not yet)
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    module: Mapped[ProgrammeModule] = relationship(back_populates="days")
    attendance: Mapped[list["DayAttendance"]] = relationship(
        back_populates="day", cascade="all, delete-orphan"
    )
    guests: Mapped[list["DayGuest"]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="DayGuest.id"
    )


class DayAttendance(db.Model):
    """A participant present on a module day (a row only for those present)."""

    __tablename__ = "programme_day_attendance"
    __table_args__ = (UniqueConstraint("day_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(
        ForeignKey("programme_module_days.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("programme_members.id", ondelete="CASCADE"), index=True
    )

    day: Mapped[ModuleDay] = relationship(back_populates="attendance")


class DayGuest(db.Model):
    """A guest of a wider-network day who is not a participant (a school director, a
    mayor): invited by e-mail with a calendar invitation; their attendance recorded."""

    __tablename__ = "programme_day_guests"
    __table_args__ = (UniqueConstraint("day_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(
        ForeignKey("programme_module_days.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    #: the guest's language for the invitation ("fi", "sv" or "en")
    locale: Mapped[str] = mapped_column(String(5), default="fi")
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    day: Mapped[ModuleDay] = relationship(back_populates="guests")

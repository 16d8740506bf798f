"""The framework agreement and the supervisors contracted under it."""

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.accounts.models import User
from lahti_pool.core.models import str_enum
from lahti_pool.extensions import db
from lahti_pool.organisation.models import Division, Unit


class AllocationRule(enum.StrEnum):
    """How orders are placed under the agreement (DOMAIN.md glossary)."""

    RANKING = "ranking"  #: best-ranked supplier with free capacity (etusijajärjestys)
    BALANCED = "balanced"  #: least-utilised first
    CLIENT_CHOICE = "client_choice"  #: the client chooses among eligible supervisors


class FrameworkAgreement(db.Model):
    """A tendered multi-supplier contract (puitesopimus)."""

    __tablename__ = "framework_agreements"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: the procurement's reference (e.g. the Hilma notice number)
    procurement_ref: Mapped[str] = mapped_column(String(100), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    allocation_rule: Mapped[AllocationRule] = mapped_column(
        str_enum(AllocationRule), default=AllocationRule.RANKING
    )
    #: VAT on the prices, in percent; prices are stored without VAT
    vat_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("25.50"))

    supervisors: Mapped[list["Supervisor"]] = relationship(
        back_populates="agreement", order_by="Supervisor.rank"
    )


class SupervisorKind(enum.StrEnum):
    CONTRACTED = "contracted"  #: a supplier under the framework agreement
    INTERNAL = "internal"  #: a city employee trained as a supervisor


supervisor_divisions = Table(
    "supervisor_divisions",
    db.metadata,
    Column("supervisor_id", ForeignKey("supervisors.id", ondelete="CASCADE"), primary_key=True),
    Column("division_id", ForeignKey("divisions.id", ondelete="CASCADE"), primary_key=True),
)

supervisor_conflicts = Table(
    "supervisor_conflicts",
    db.metadata,
    Column("supervisor_id", ForeignKey("supervisors.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class Supervisor(db.Model):
    __tablename__ = "supervisors"
    __table_args__ = (
        UniqueConstraint("agreement_id", "rank"),
        CheckConstraint(
            "price_individual_cents >= 0 AND price_group_cents >= 0", name="prices_nonneg"
        ),
        CheckConstraint(
            "capacity_sessions >= 0 AND capacity_processes >= 0", name="capacity_nonneg"
        ),
        CheckConstraint(
            "active_processes >= 0 AND active_processes <= capacity_processes",
            name="processes_within_capacity",
        ),
        CheckConstraint(
            "contract_ends_on IS NULL OR contract_starts_on IS NULL "
            "OR contract_ends_on >= contract_starts_on",
            name="contract_ends_after_start",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    kind: Mapped[SupervisorKind] = mapped_column(
        str_enum(SupervisorKind), default=SupervisorKind.CONTRACTED
    )
    #: None for internal supervisors
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("framework_agreements.id"))
    #: the supplier's rank in the agreement, 1 = best; unique within the agreement
    rank: Mapped[int | None] = mapped_column(Integer)
    #: the supplier (company) that invoices, and its business ID (Y-tunnus)
    company_name: Mapped[str] = mapped_column(String(200), default="")
    business_id: Mapped[str] = mapped_column(String(20), default="")
    contract_starts_on: Mapped[date | None] = mapped_column(Date)
    contract_ends_on: Mapped[date | None] = mapped_column(Date)
    #: prices per session in cents, VAT excluded (the agreement states the VAT)
    price_individual_cents: Mapped[int] = mapped_column(Integer, default=0)
    price_group_cents: Mapped[int] = mapped_column(Integer, default=0)
    #: contracted sessions per school year
    capacity_sessions: Mapped[int] = mapped_column(Integer, default=0)
    #: processes at once
    capacity_processes: Mapped[int] = mapped_column(Integer, default=0)
    #: processes now active; changed only by conditional UPDATEs (matching/services.py)
    active_processes: Mapped[int] = mapped_column(Integer, default=0)
    #: False once the contract ends or the administrator deactivates them
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: language codes, e.g. ["fi", "en"]
    languages: Mapped[list] = mapped_column(JSON, default=list)
    #: Mode values: on_site, video, phone
    modes: Mapped[list] = mapped_column(JSON, default=list)
    #: "individual", "group"
    kinds: Mapped[list] = mapped_column(JSON, default=list)
    #: city areas where they meet clients on site
    areas: Mapped[list] = mapped_column(JSON, default=list)
    #: e.g. "STOry certified work supervisor"
    qualifications: Mapped[str] = mapped_column(String(500), default="")
    #: public presentation shown to staff
    bio: Mapped[str] = mapped_column(Text, default="")
    #: the supervisor's own video-meeting link (https), used when a session sets none
    video_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    #: the presentation photo as re-encoded JPEG (supervisors/photos.py); loaded only when
    #: served
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    #: raised on every new photo, so its URL changes and caches may keep it; 0: no photo
    photo_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship(lazy="joined")
    agreement: Mapped[FrameworkAgreement | None] = relationship(back_populates="supervisors")
    divisions: Mapped[list[Division]] = relationship(secondary=supervisor_divisions)
    conflicts: Mapped[list[Unit]] = relationship(secondary=supervisor_conflicts)

    @property
    def name(self) -> str:
        return self.user.name

    def contract_valid_on(self, day: date) -> bool:
        starts = self.contract_starts_on or date.min
        ends = self.contract_ends_on or date.max
        return starts <= day <= ends

    def conflict_unit_ids(self) -> set[int]:
        """Units they must never supervise: listed conflicts and their own unit."""
        ids = {u.id for u in self.conflicts}
        if self.user.unit_id is not None:
            ids.add(self.user.unit_id)
        return ids


class SupervisorLoad(db.Model):
    """Sessions granted to a supervisor's processes in one school year.

    Changed only by conditional UPDATEs that compare with the supervisor's
    ``capacity_sessions``, so two administrators accepting at once cannot overbook.
    """

    __tablename__ = "supervisor_loads"
    __table_args__ = (
        UniqueConstraint("supervisor_id", "school_year_id"),
        CheckConstraint("sessions_granted >= 0", name="sessions_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(
        ForeignKey("supervisors.id", ondelete="CASCADE"), index=True
    )
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id"), index=True)
    sessions_granted: Mapped[int] = mapped_column(Integer, default=0)
    #: sessions already held or otherwise used (for the capacity view)
    sessions_used: Mapped[int] = mapped_column(Integer, default=0)

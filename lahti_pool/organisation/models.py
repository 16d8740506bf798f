"""Organisations, their divisions (cost centres), the units that belong to them, and
the venues where meetings are held."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db


class Organisation(db.Model):
    """Another employer taking part beside the city: a neighbouring municipality or a joint
    authority (Harju county practice). The city itself has no row: a division whose
    ``organisation_id`` is None is the city's. A guest organisation has its own division
    (its cost centre, so its budget, guard and statement lines follow it) and a unit its
    officials belong to."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: the Finnish business ID (Y-tunnus), for its invoices
    business_id: Mapped[str] = mapped_column(String(20), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    invoice_address: Mapped[str] = mapped_column(String(500), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    divisions: Mapped[list["Division"]] = relationship(back_populates="organisation")


class UnitKind(enum.StrEnum):
    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    OFFICE = "office"
    OTHER = "other"


class Division(db.Model):
    """A division of the city (toimiala); each one is a cost centre."""

    __tablename__ = "divisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the cost-centre code used in invoices and the HR export
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_fi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    #: the guest organisation whose cost centre this is; None for the city's own
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)

    units: Mapped[list["Unit"]] = relationship(back_populates="division", order_by="Unit.name")
    organisation: Mapped[Organisation | None] = relationship(back_populates="divisions")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_fi


class Unit(db.Model):
    """A school, kindergarten or office; staff belong to exactly one."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the unit code in the HR export
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind), default=UnitKind.SCHOOL)
    #: a city area, used when forming groups and matching supervisors
    area: Mapped[str] = mapped_column(String(100), default="")
    #: the street address, for the invitations of group sessions the unit hosts
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    division_id: Mapped[int] = mapped_column(ForeignKey("divisions.id"), index=True)

    division: Mapped[Division] = relationship(back_populates="units")


class Venue(db.Model):
    """A place where meetings are held: a unit's meeting room, a guest organisation's
    office or a special venue (a museum, a nature centre). Hosts' rotation plans and
    programmes' module days name one; invitations carry its address."""

    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    #: step-free access, hearing loop, parking, how to find the room
    accessibility_note: Mapped[str] = mapped_column(String(1000), default="")
    #: whose venue it is; None for the city's and for special venues
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    organisation: Mapped[Organisation | None] = relationship()

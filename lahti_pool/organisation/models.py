"""Divisions (cost centres) and the units that belong to them."""

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.core.models import str_enum
from lahti_pool.extensions import db


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

    units: Mapped[list["Unit"]] = relationship(back_populates="division", order_by="Unit.name")

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

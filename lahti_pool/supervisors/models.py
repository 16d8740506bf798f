"""Supervisors of the pool (the framework agreement comes with the matching issue)."""

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.accounts.models import User
from lahti_pool.extensions import db


class Supervisor(db.Model):
    __tablename__ = "supervisors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    #: False once the contract ends or the administrator deactivates them
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: language codes, e.g. ["fi", "en"]
    languages: Mapped[list] = mapped_column(JSON, default=list)
    #: Mode values
    modes: Mapped[list] = mapped_column(JSON, default=list)
    #: public presentation shown to staff
    bio: Mapped[str] = mapped_column(Text, default="")
    areas: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def name(self) -> str:
        return self.user.name

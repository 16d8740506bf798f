"""The organisations taking part in a group request beside the city (Harju county)."""

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.extensions import db
from lahti_pool.organisation.models import Organisation


class GroupOrganisation(db.Model):
    """A guest organisation taking part in a group request: its active officials may be
    named members. The city takes part in every group and has no row."""

    __tablename__ = "group_organisations"
    __table_args__ = (UniqueConstraint("request_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_requests.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)

    organisation: Mapped[Organisation] = relationship()

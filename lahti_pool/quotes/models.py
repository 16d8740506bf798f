"""A request for quotes (tarjouspyyntö) for a group request, and each supervisor's quote."""

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.accounts.models import User
from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db
from lahti_pool.requests.models import SupervisionRequest
from lahti_pool.supervisors.models import Supervisor


class RoundStatus(enum.StrEnum):
    OPEN = "open"  #: quotes are being asked and given
    ACCEPTED = "accepted"  #: one quote was accepted; a process exists


class QuoteStatus(enum.StrEnum):
    ASKED = "asked"  #: the supervisor has not answered yet
    GIVEN = "given"  #: a price and a validity date are recorded
    DECLINED = "declined"  #: the supervisor gives no quote
    ACCEPTED = "accepted"  #: this quote opened the process
    CLOSED = "closed"  #: another quote was accepted


class QuoteRound(db.Model):
    """One request for quotes for a group request.

    Holds only what a supervisor needs to price the work: never pre-question answers nor
    process goals (the ``need`` is the organiser's short, non-confidential description).
    """

    __tablename__ = "quote_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("supervision_requests.id"), index=True)
    status: Mapped[RoundStatus] = mapped_column(str_enum(RoundStatus), default=RoundStatus.OPEN)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the sessions asked for, the period they fall in and the group's size when asked
    sessions: Mapped[int] = mapped_column(Integer)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    group_size: Mapped[int] = mapped_column(Integer)
    #: a short description of the need, with no confidential content
    need: Mapped[str] = mapped_column(String(500))
    #: the administrator's reason for the choice (the procurement record)
    decision_reason: Mapped[str] = mapped_column(String(500), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_processes.id"))

    request: Mapped[SupervisionRequest] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    quotes: Mapped[list["Quote"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="Quote.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN


class Quote(db.Model):
    """A supervisor's quote in a round: a net price per session and a validity date."""

    __tablename__ = "quotes"
    __table_args__ = (UniqueConstraint("round_id", "supervisor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("quote_rounds.id", ondelete="CASCADE"), index=True
    )
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("supervisors.id"), index=True)
    status: Mapped[QuoteStatus] = mapped_column(str_enum(QuoteStatus), default=QuoteStatus.ASKED)
    #: per session, VAT excluded (the agreement's VAT is added as for any order)
    price_cents: Mapped[int | None] = mapped_column(Integer)
    valid_until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[QuoteRound] = relationship(back_populates="quotes")
    supervisor: Mapped[Supervisor] = relationship()

    def is_expired(self, today: date) -> bool:
        return self.valid_until is not None and self.valid_until < today

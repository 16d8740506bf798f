"""What each person wants of the nudges, and every nudge sent (the limits read it)."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db


class NudgeKind(enum.StrEnum):
    #: at the start of a school year: "your 10 sessions are available" (opt-out)
    YEAR_START = "year_start"
    #: the same day's free on-duty slots, to staff with sessions left (opt-in)
    FREE_SLOTS = "free_slots"
    #: the administrator's message to the managers of a unit with low uptake (opt-out)
    UNIT_UPTAKE = "unit_uptake"


#: whether a person gets a kind of nudge before they say anything
WANTED_BY_DEFAULT = {
    NudgeKind.YEAR_START: True,
    NudgeKind.FREE_SLOTS: False,  # staff ask for these
    NudgeKind.UNIT_UPTAKE: True,
}


class NudgePreference(db.Model):
    """A person's choice about one kind of nudge; no row means WANTED_BY_DEFAULT."""

    __tablename__ = "nudge_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NudgeKind] = mapped_column(str_enum(NudgeKind))
    wanted: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class NudgeSent(db.Model):
    """One nudge to one person: the same (kind, key) is never sent to them twice, and the
    rows of the last days count against ``NUDGE_LIMIT``."""

    __tablename__ = "nudges_sent"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "key"),
        # a person's nudges of the last days, for the frequency limit
        Index("ix_nudges_sent_user_id_sent_at", "user_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NudgeKind] = mapped_column(str_enum(NudgeKind))
    #: what makes a nudge the same one: the school year, the day, the year and unit
    key: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""Feedback after a session, kept apart from who gave it.

``FeedbackInvitation`` knows who may answer for which session and whether they have
(so nobody answers twice); ``FeedbackResponse`` holds the ratings with only what the
reports group by (supervisor, division, month) and no link back to the person or
the session.
"""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from lahti_pool.core.models import UTCDateTime, utcnow
from lahti_pool.extensions import db


class FeedbackInvitation(db.Model):
    __tablename__ = "feedback_invitations"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set once, by a conditional UPDATE, when the person answers
    answered: Mapped[bool] = mapped_column(default=False)


class FeedbackResponse(db.Model):
    __tablename__ = "feedback_responses"
    __table_args__ = (
        CheckConstraint(
            "usefulness BETWEEN 1 AND 5 AND atmosphere BETWEEN 1 AND 5 "
            "AND arrangements BETWEEN 1 AND 5",
            name="ratings_range",
        ),
        CheckConstraint("availability BETWEEN 1 AND 5", name="availability_range"),
        # the report's comments: the month's answers that have one
        Index(
            "ix_feedback_responses_month_commented",
            "month",
            sqlite_where=text("comment <> ''"),
            postgresql_where=text("comment <> ''"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("supervisors.id"), index=True)
    division_id: Mapped[int | None] = mapped_column(ForeignKey("divisions.id"), index=True)
    #: the first day of the session's month: no finer date is kept
    month: Mapped[date] = mapped_column(Date, index=True)
    #: "individual", "group" or "on_duty"
    kind: Mapped[str] = mapped_column(String(20))
    usefulness: Mapped[int] = mapped_column(Integer)
    atmosphere: Mapped[int] = mapped_column(Integer)
    arrangements: Mapped[int] = mapped_column(Integer)
    #: how easy it was to get supervision when needed (1-5); None on answers given before
    #: the question was asked
    availability: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

"""Surveys, and their answers kept apart from who gave them.

``Survey`` and ``SurveyQuestion`` are what its author built; ``SurveyRespondent`` records
only that a person has answered (its primary key lets each answer once, race-free);
``SurveyAnswer`` holds one answer to one question with no user, no time and no link to
the person's other answers: its id is random, and closing the survey writes the answers
anew in a shuffled order (services.close_survey), so neither ids, row order nor the
database's transaction ids say whose an answer is or when it came.
"""

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lahti_pool.core.models import UTCDateTime, str_enum, utcnow
from lahti_pool.extensions import db


class SurveyKind(enum.StrEnum):
    NEEDS = "needs"  #: at the start: what networks or programmes people need
    EVALUATION = "evaluation"  #: at the end: closes a programme or a network's year
    OTHER = "other"


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"  #: built, not sent
    OPEN = "open"  #: sent; taking answers
    CLOSED = "closed"  #: no more answers; its results may be reported


class QuestionKind(enum.StrEnum):
    SCALE = "scale"  #: 1 (lowest) to 5 (highest)
    CHOICE = "choice"  #: one of the options
    TEXT = "text"  #: free text, optional


class Survey(db.Model):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[SurveyKind] = mapped_column(str_enum(SurveyKind))
    status: Mapped[SurveyStatus] = mapped_column(
        str_enum(SurveyStatus), default=SurveyStatus.DRAFT, index=True
    )
    #: who it goes to: a registered population kind (core/populations.py) and its subject
    population_kind: Mapped[str] = mapped_column(String(40))
    population_subject_id: Mapped[int | None] = mapped_column()
    #: what it is about (optional): a mapping kind ("network", "programme") and its id
    subject_kind: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[int | None] = mapped_column()
    #: an evaluation survey closes this year of its programme or network
    evaluates_year: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    #: how many people it was sent to
    recipients: Mapped[int] = mapped_column(Integer, default=0)

    questions: Mapped[list["SurveyQuestion"]] = relationship(
        order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )

    @property
    def has_subject(self) -> bool:
        return bool(self.subject_kind) and self.subject_id is not None


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind))
    text: Mapped[str] = mapped_column(String(300))
    #: a choice question's options, in order (an answer stores the option's index)
    options: Mapped[list] = mapped_column(JSON, default=list)


class SurveyRespondent(db.Model):
    """That a person has answered a survey: nothing else, not even when."""

    __tablename__ = "survey_respondents"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def random_id() -> str:
    return secrets.token_hex(16)


class SurveyAnswer(db.Model):
    """One answer to one question: no person, no date, no link to their other answers."""

    __tablename__ = "survey_answers"
    __table_args__ = (CheckConstraint("value IS NULL OR value >= 0", name="value_not_negative"),)

    #: random, not a sequence: the order of answering is not kept
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True
    )
    #: a scale question's 1-5, a choice question's option index; None for free text
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")

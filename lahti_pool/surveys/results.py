"""A closed survey's results under the feedback rule (rules.py), and its free text."""

from dataclasses import dataclass

from sqlalchemy import func, select

from lahti_pool.extensions import db
from lahti_pool.surveys import rules
from lahti_pool.surveys.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyRespondent,
    SurveyStatus,
)


@dataclass(frozen=True)
class QuestionResult:
    question: SurveyQuestion
    counted: rules.CountedQuestion | None  #: None for a free-text question
    #: the question's free-text answers, alphabetical; only for the development services
    texts: list[str]
    texts_shown: bool = False  #: whether free text may be shown to this reader at all


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    respondents: int | None  #: None: fewer than k answered (nothing is shown)
    questions: list[QuestionResult]


def respondent_count(survey_id: int) -> int:
    return db.session.scalar(select(func.count()).where(SurveyRespondent.survey_id == survey_id))


def survey_results(survey: Survey, k: int, with_text: bool) -> SurveyResults | None:
    """The figures of a closed survey (None while it is open or a draft): counts and
    averages suppressed below ``k``; free text only when ``with_text`` (the development
    services) and at least ``k`` people answered."""
    if survey.status != SurveyStatus.CLOSED:
        return None
    answered = respondent_count(survey.id)
    counts: dict[int, dict[int, int]] = {}
    for question_id, value, n in db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.value, func.count())
        .where(SurveyAnswer.survey_id == survey.id, SurveyAnswer.value.isnot(None))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.value)
    ):
        counts.setdefault(question_id, {})[value] = n
    show_text = with_text and rules.shows_text(answered, k)
    results = []
    for question in survey.questions:
        if question.kind == QuestionKind.TEXT:
            texts = _texts(question.id) if show_text else []
            results.append(QuestionResult(question, None, texts, show_text))
            continue
        scale = question.kind == QuestionKind.SCALE
        keys = list(rules.SCALE) if scale else list(range(len(question.options)))
        counted = rules.count_question(counts.get(question.id, {}), keys, k, scale)
        results.append(QuestionResult(question, counted, []))
    return SurveyResults(survey, answered if answered >= k else None, results)


def _texts(question_id: int) -> list[str]:
    """Alphabetical: the order of answering would help tell whose answer is whose."""
    return list(
        db.session.scalars(
            select(SurveyAnswer.text)
            .where(SurveyAnswer.question_id == question_id, SurveyAnswer.text != "")
            .order_by(SurveyAnswer.text)
        )
    )


def surveys_about(kind: str, subject_id: int, start, end) -> list[Survey]:
    """The closed surveys about a subject that closed in [start, end]."""
    return list(
        db.session.scalars(
            select(Survey)
            .where(
                Survey.subject_kind == kind,
                Survey.subject_id == subject_id,
                Survey.status == SurveyStatus.CLOSED,
                Survey.closed_on >= start,
                Survey.closed_on <= end,
            )
            .order_by(Survey.closed_on, Survey.id)
        )
    )

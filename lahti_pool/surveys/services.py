"""Survey use cases: build, send, answer once without identity, close."""

from dataclasses import dataclass
from datetime import date
from secrets import SystemRandom

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from lahti_pool.accounts.models import Role, User
from lahti_pool.core import audit
from lahti_pool.core.errors import N_, DomainError, NotPermitted
from lahti_pool.core.notifications import NotificationKind, notify
from lahti_pool.core.populations import population_kind
from lahti_pool.extensions import db
from lahti_pool.surveys import rules
from lahti_pool.surveys.mails import notify_survey_invitation
from lahti_pool.surveys.models import (
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyKind,
    SurveyQuestion,
    SurveyRespondent,
    SurveyStatus,
    random_id,
)


def can_build(user: User, kind: str, subject_id: int | None) -> bool:
    """The administrator surveys any population; an organiser or coordinator the people of
    a subject they organise (the population registry names them)."""
    if user.has_role(Role.ADMIN):
        return True
    registered = population_kind(kind)
    if registered is None or registered.organisers is None or subject_id is None:
        return False
    organisers = registered.organisers(subject_id).subquery()
    return bool(db.session.scalar(select(func.count()).where(organisers.c[0] == user.id)))


def can_manage(user: User, survey: Survey) -> bool:
    """Who may send, close and read the figures of a survey (never its free text)."""
    return can_build(user, survey.population_kind, survey.population_subject_id)


@dataclass(frozen=True)
class SurveyInput:
    title: str
    kind: str
    population_kind: str
    population_subject_id: int | None
    questions: list[rules.QuestionInput]
    intro: str = ""
    about: bool = False  #: the survey is about the population's subject
    evaluates_year: int | None = None


def create_survey(actor: User, data: SurveyInput) -> Survey:
    """A draft survey; nobody sees it until it is sent."""
    registered = population_kind(data.population_kind)
    if registered is None:
        raise DomainError(N_("Choose who the survey goes to."), field="population")
    if registered.choices is not None and data.population_subject_id is None:
        raise DomainError(N_("Choose who the survey goes to."), field="population")
    if not can_build(actor, data.population_kind, data.population_subject_id):
        raise NotPermitted(N_("You may not survey these people."))
    if data.kind not in {k.value for k in SurveyKind}:
        raise DomainError(N_("Choose the kind of survey."), field="kind")
    questions = rules.clean_questions(data.questions)
    about = data.about and data.population_subject_id is not None
    if data.evaluates_year is not None and (data.kind != SurveyKind.EVALUATION or not about):
        raise DomainError(
            N_("Only an evaluation survey about a network or programme closes a year."),
            field="evaluates_year",
        )
    survey = Survey(
        title=data.title.strip(),
        intro=data.intro.strip(),
        kind=SurveyKind(data.kind),
        population_kind=data.population_kind,
        population_subject_id=data.population_subject_id,
        subject_kind=registered.mapping_kind if about else "",
        subject_id=data.population_subject_id if about else None,
        evaluates_year=data.evaluates_year,
        created_by_id=actor.id,
        questions=[
            SurveyQuestion(
                position=i, kind=QuestionKind(q.kind), text=q.text, options=list(q.options)
            )
            for i, q in enumerate(questions)
        ],
    )
    db.session.add(survey)
    db.session.flush()
    audit.record(actor, "survey.created", survey, kind=survey.kind.value)
    return survey


def recipient_ids(survey: Survey) -> list[int]:
    registered = population_kind(survey.population_kind)
    if registered is None:
        return []
    return list(db.session.scalars(registered.member_ids(survey.population_subject_id)))


def is_invited(user: User, survey: Survey) -> bool:
    """Whether ``user`` belongs to the survey's population (now)."""
    registered = population_kind(survey.population_kind)
    if registered is None:
        return False
    members = registered.member_ids(survey.population_subject_id).subquery()
    return bool(db.session.scalar(select(func.count()).where(members.c[0] == user.id)))


def send_survey(actor: User, survey: Survey, today: date) -> int:
    """Open the survey and tell its population, in the app and by e-mail; the number told."""
    if not can_manage(actor, survey):
        raise NotPermitted(N_("You may not survey these people."))
    if survey.status != SurveyStatus.DRAFT:
        raise DomainError(N_("This survey has been sent already."))
    ids = recipient_ids(survey)
    if not ids:
        raise DomainError(N_("Nobody belongs to this population yet."))
    survey.status, survey.sent_on, survey.recipients = SurveyStatus.OPEN, today, len(ids)
    for user_id in ids:
        notify(user_id, NotificationKind.SURVEY_INVITATION, survey)
    notify_survey_invitation(survey, ids)
    audit.record(actor, "survey.sent", survey, recipients=len(ids))
    db.session.flush()
    return len(ids)


def close_survey(actor: User, survey: Survey, today: date) -> None:
    """No more answers; its results may now be reported (and never change)."""
    if not can_manage(actor, survey):
        raise NotPermitted(N_("You may not survey these people."))
    if survey.status != SurveyStatus.OPEN:
        raise DomainError(N_("Only an open survey can be closed."))
    survey.status, survey.closed_on = SurveyStatus.CLOSED, today
    _reshuffle_answers(survey.id)
    audit.record(actor, "survey.closed", survey)
    db.session.flush()


def _reshuffle_answers(survey_id: int) -> None:
    """Write the answers anew, in a random order, with new random ids.

    An answer row was written in the same transaction as its respondent row, so the
    database itself (PostgreSQL's transaction id of a row, the order of rows in a table
    or of SQLite's rowids) could pair them while the survey is open. Rewritten in one
    shuffled batch by the closing transaction, the answers that are reported keep nothing
    of when, or with whose respondent row, they were written.
    """
    rows = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.value, SurveyAnswer.text).where(
            SurveyAnswer.survey_id == survey_id
        )
    ).all()
    if not rows:
        return
    SystemRandom().shuffle(rows)
    db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.survey_id == survey_id))
    db.session.execute(
        insert(SurveyAnswer),
        [
            {"id": random_id(), "survey_id": survey_id, "question_id": q, "value": v, "text": t}
            for q, v, t in rows
        ],
    )


def has_answered(user: User, survey: Survey) -> bool:
    return db.session.get(SurveyRespondent, (survey.id, user.id)) is not None


def answer_survey(actor: User, survey: Survey, answers: dict[int, object]) -> None:
    """Store the answers apart from who gave them, once per person.

    ``answers`` maps a question's id to an int (scale 1-5, a choice's option index) or a
    str (free text). Scale and choice questions must be answered; free text is optional.
    """
    if survey.status != SurveyStatus.OPEN:
        raise DomainError(N_("This survey is closed."))
    if not is_invited(actor, survey):
        raise NotPermitted(N_("This survey was not sent to you."))
    rows = []
    for question in survey.questions:
        given = answers.get(question.id)
        if question.kind == QuestionKind.TEXT:
            text = (given or "").strip() if isinstance(given, str) else ""
            if text:
                rows.append(SurveyAnswer(survey_id=survey.id, question_id=question.id, text=text))
            continue
        limit = range(1, 6) if question.kind == QuestionKind.SCALE else range(len(question.options))
        if not isinstance(given, int) or given not in limit:
            raise DomainError(N_("Answer every question that has options."))
        rows.append(SurveyAnswer(survey_id=survey.id, question_id=question.id, value=given))
    try:  # the primary key lets one of two concurrent answers through
        with db.session.begin_nested():
            db.session.add(SurveyRespondent(survey_id=survey.id, user_id=actor.id))
    except IntegrityError:
        raise DomainError(N_("You have answered this survey already. Thank you!")) from None
    db.session.add_all(rows)
    # No log-of-use line: its time and address would say who answered when.
    db.session.flush()


def open_surveys_for(user: User) -> list[Survey]:
    """The open surveys sent to ``user`` that they have not answered."""
    answered = select(SurveyRespondent.survey_id).where(SurveyRespondent.user_id == user.id)
    candidates = db.session.scalars(
        select(Survey)
        .where(Survey.status == SurveyStatus.OPEN, Survey.id.not_in(answered))
        .order_by(Survey.sent_on.desc(), Survey.id.desc())
    ).all()
    return [s for s in candidates if is_invited(user, s)]
